/**
 * Text for language models: corpora, tokenizers and token batches.
 *
 * <p>{@link dev.kiln.text.TextCorpus} reads the fortune corpora that {@code ./kiln fetch-data
 * --only fortunes} (English) and {@code --only fortunes-zh} (Chinese: {@code chinese},
 * {@code tang300}, {@code song100}) fetch, as documents, and splits them by document.
 * {@link dev.kiln.text.ByteLevelBpeTokenizer} learns GPT-2-style byte-level BPE from documents;
 * {@link dev.kiln.text.CharTokenizer} is the one-token-per-character option; both save to JSON and
 * come back through {@link dev.kiln.text.Tokenizer#load}. {@link dev.kiln.text.TokenBatches} draws
 * random training windows ({@code tokens} and the shifted {@code targets}, INT64 [B, T]) from a
 * seeded generator; {@link dev.kiln.text.SequentialTokenBatches} walks a validation stream in order.
 *
 * <pre>{@code
 * TextCorpus corpus = TextCorpus.load(Path.of("data"), "fortunes");
 * DocumentSplit split = corpus.split(0.05, 1234);
 * Tokenizer tok = ByteLevelBpeTokenizer.train(split.train(), 2048);
 * tok.save(runDir.resolve("tokenizer.json"));
 * int[] train = tok.encodeDocuments(split.train()), val = tok.encodeDocuments(split.validation());
 * Generator rng = new Generator(1234);
 * TokenBatches batches = new TokenBatches(backend, train, 32, 128, rng);
 * try (Batch b = batches.get()) {
 *     Tensor logits = model.forward(b.get(TokenBatches.TOKENS));   // [B, T, vocab]
 *     // loss: cross entropy of logits against b.target(), both viewed as B * T rows
 * }
 * for (Batch b : new SequentialTokenBatches(backend, val, 32, 128, 50)) {
 *     try (b) { ... }                                             // validation loss
 * }
 * String text = tok.decode(tok.encode("Hello, world"));           // "Hello, world"
 * }</pre>
 */
package dev.kiln.text;
