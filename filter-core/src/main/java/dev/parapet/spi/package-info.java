/**
 * Extension points: what users implement and plug into a {@link dev.parapet.SafetyFilter}.
 *
 * <p>{@link dev.parapet.spi.Classifier} and {@link dev.parapet.spi.Detector} are stages; {@link
 * dev.parapet.spi.AuditSink} and {@link dev.parapet.spi.FeedbackSink} receive records.
 */
package dev.parapet.spi;
