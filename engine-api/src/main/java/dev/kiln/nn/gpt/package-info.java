/**
 * A GPT decoder with nanoGPT's structure and parameter names ({@link dev.kiln.nn.gpt.Gpt},
 * {@link dev.kiln.nn.gpt.GptConfig}), and text generation with a key/value cache
 * ({@link dev.kiln.nn.gpt.KvCache}, {@link dev.kiln.nn.gpt.GenerationOptions},
 * {@link dev.kiln.nn.gpt.Sampler}).
 */
package dev.kiln.nn.gpt;
