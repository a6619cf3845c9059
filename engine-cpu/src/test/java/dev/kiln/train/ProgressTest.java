package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.SGD;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** What the progress listeners print, driven by a fake clock that advances one second per reading. */
class ProgressTest {
    private final Backend cpu = Kiln.backend("cpu");

    private String train(java.util.function.Function<LongSupplier, TrainingListener> make, ByteArrayOutputStream bytes) {
        AtomicLong t = new AtomicLong();
        LongSupplier clock = () -> t.addAndGet(1_000_000_000L);
        try (Sequential model = SmallNet.create(new Generator(1), new Generator(2), Patterns.CLASSES, cpu);
             DataLoader train = DataLoader.builder(Patterns.make(80, 1)).batchSize(8).backend(cpu).build();
             DataLoader test = DataLoader.builder(Patterns.make(16, 2)).batchSize(8).backend(cpu).build();
             SGD sgd = new SGD(model.parameters(), 0.01)) {
            Trainer.builder(model, sgd, train).evaluateOn("check", test).listener(make.apply(clock)).build().fit(2);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void logPrintsPeriodicLinesAndOneSummaryPerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String text = train(clock -> new ProgressLog(out, Duration.ofMillis(2500), clock), bytes);
        List<String> lines = text.lines().toList();
        // 10 batches per epoch, one clock reading per step and one at epoch start: a line on steps 3, 6 and 9 (the 10th is the summary).
        List<String> expected = List.of("epoch 1/2 batch 3/10 ", "epoch 1/2 batch 6/10 ", "epoch 1/2 batch 9/10 ", "epoch 1/2: ",
                "epoch 2/2 batch 3/10 ", "epoch 2/2 batch 6/10 ", "epoch 2/2 batch 9/10 ", "epoch 2/2: ");
        assertEquals(expected.size(), lines.size(), text);
        for (int i = 0; i < lines.size(); i++) assertTrue(lines.get(i).startsWith(expected.get(i)), lines.get(i));
        assertTrue(lines.get(0).matches("epoch 1/2 batch 3/10 loss \\d+\\.\\d{4} acc \\d+\\.\\d{2}% \\d+ img/s eta \\d+:\\d\\d"), lines.get(0));
        assertTrue(lines.get(3).matches("epoch 1/2: train loss \\d\\.\\d{4} acc \\d+\\.\\d{2}% \\| check loss \\d\\.\\d{4} acc \\d+\\.\\d{2}% \\| .* img/s"),
                lines.get(3));
    }

    @Test
    void theLibraryDefaultLogsThroughSystemLoggerAndPrintsNothing() {
        PrintStream realOut = System.out, realErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<String> lines;
        try (LogCapture log = new LogCapture(ProgressLog.class.getName())) {
            PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
            try {
                train(clock -> new ProgressLog(Duration.ofDays(1)), console); // only the summaries: no step is a day apart
            } finally {
                System.setOut(realOut);
                System.setErr(realErr);
            }
            lines = log.messages(java.util.logging.Level.INFO);
        }
        assertEquals("", console.toString(StandardCharsets.UTF_8), "nothing on System.out or System.err");
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("epoch 1/2: train loss "), lines.get(0));
        assertTrue(lines.get(1).startsWith("epoch 2/2: train loss "), lines.get(1));
    }

    @Test
    void barRedrawsInPlaceAndEndsEachEpochWithASummaryLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String text = train(clock -> new ProgressBar(out, clock), bytes);
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, text);
        for (int e = 0; e < 2; e++) {
            String[] frames = lines[e].split("\r");
            // every step is drawn (the fake clock moves a second per step), then the summary overwrites the bar
            assertEquals(1 + 10 + 1, frames.length, Arrays.toString(frames));
            assertTrue(frames[1].startsWith("epoch " + (e + 1) + "/2 [===>" + " ".repeat(26) + "] 1/10 loss"), frames[1]);
            assertTrue(frames[10].startsWith("epoch " + (e + 1) + "/2 [" + "=".repeat(30) + "] 10/10 loss"), frames[10]);
            assertTrue(frames[11].startsWith("epoch " + (e + 1) + "/2: train loss"), frames[11]);
        }
    }
}
