/**
 * Classifier stages on ONNX Runtime: {@link dev.parapet.classifiers.OnnxTextClassifier} for any
 * Optimum-format text classifier, {@link dev.parapet.classifiers.EmbeddingSimilarityClassifier} for
 * custom topics without training.
 */
package dev.parapet.classifiers;
