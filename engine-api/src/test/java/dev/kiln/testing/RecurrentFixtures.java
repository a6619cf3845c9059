package dev.kiln.testing;

import dev.kiln.io.SafeTensorsHeader;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch parity fixtures of the recurrent layers ({@code src/test/resources/parity}, written by
 * {@code bench/peers/torch_rnn_fixtures.py}): their names, and the Kiln module with the options a
 * fixture's metadata records.
 */
public final class RecurrentFixtures {
    /** Every fixture, by file stem. */
    public static final List<String> NAMES = List.of("lstm_2layer_bidirectional", "lstm_batch_first",
            "gru_2layer_bidirectional_batch_first", "gru_no_bias", "rnn_tanh_2layer_bidirectional", "rnn_relu_batch_first",
            "lstm_hidden16_bidirectional_batch_first", "gru_hidden16");

    private RecurrentFixtures() {}

    /**
     * Copies fixture {@code name} out of the class path (it may sit in a jar) into {@code dir}.
     *
     * @return the copy's path
     */
    public static Path copy(String name, Path dir) throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        try (InputStream in = RecurrentFixtures.class.getResourceAsStream("/parity/" + name + ".safetensors")) {
            if (in == null) throw new IOException("parity fixture " + name + " is not on the class path");
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** The fixture's header (names, shapes, metadata). */
    public static SafeTensorsHeader header(Path file) throws IOException {
        return SafeTensorsHeader.read(file);
    }

    /** The Kiln layer with the options of a fixture's metadata, on {@code backend}. */
    public static Module build(Map<String, String> meta, Backend backend, Generator generator) {
        int in = Integer.parseInt(meta.get("input_size")), hid = Integer.parseInt(meta.get("hidden_size"));
        int layers = Integer.parseInt(meta.get("num_layers"));
        boolean bidir = Boolean.parseBoolean(meta.get("bidirectional")), bf = Boolean.parseBoolean(meta.get("batch_first"));
        boolean bias = Boolean.parseBoolean(meta.get("bias"));
        return switch (meta.get("mode")) {
            case "lstm" -> LSTM.builder(in, hid).numLayers(layers).bidirectional(bidir).batchFirst(bf).bias(bias)
                    .backend(backend).generator(generator).build();
            case "gru" -> GRU.builder(in, hid).numLayers(layers).bidirectional(bidir).batchFirst(bf).bias(bias)
                    .backend(backend).generator(generator).build();
            case "rnn" -> RNN.builder(in, hid).numLayers(layers).bidirectional(bidir).batchFirst(bf).bias(bias)
                    .nonlinearity(meta.get("nonlinearity")).backend(backend).generator(generator).build();
            default -> throw new IllegalArgumentException("unknown fixture mode " + meta.get("mode"));
        };
    }
}
