/**
 * Rule-based detectors: personal data ({@link dev.parapet.classifiers.rules.PiiDetector}),
 * credentials ({@link dev.parapet.classifiers.rules.SecretsDetector}), deny-lists ({@link
 * dev.parapet.classifiers.rules.DenyListDetector}) and operator patterns ({@link
 * dev.parapet.classifiers.rules.RegexDetector}). All run in time linear in the text (RE2/J and an
 * Aho-Corasick automaton, never backtracking regular expressions) and need no native library.
 */
package dev.parapet.classifiers.rules;
