/**
 * Builds Parapet's model directories: an encoder ONNX graph and a trained head fused into one graph
 * with the interface of a Hugging Face Optimum text-classification export.
 */
package dev.parapet.models.assembler;
