/**
 * Parameter-efficient fine-tuning: LoRA adapters on chosen {@link dev.kiln.nn.Linear} layers
 * ({@link dev.kiln.nn.lora.Lora}, {@link dev.kiln.nn.lora.LoraLinear},
 * {@link dev.kiln.nn.lora.LoraConfig}), saved alone in a small safetensors file that names its
 * base, merged back for inference; and {@link dev.kiln.nn.lora.FineTuning}, which freezes a model for
 * full, head-only or LoRA fine-tuning and reports the trainable parameter count.
 */
package dev.kiln.nn.lora;
