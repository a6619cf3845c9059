package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.UnaryOp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * KernelOps passes op codes as {@code enum.ordinal()}: the C enums of elementwise.cu must list the
 * SPI enums' constants in the same order. A constant added to {@link UnaryOp}, {@link BinaryOp} or
 * {@link ScalarOp} fails here until the kernel handles it (the kernels answer NaN for codes they
 * do not know).
 */
class KernelEnumsTest {

    /** The constants of C enum {@code name}, with their prefix (e.g. "U_") removed. */
    private static List<String> cEnum(String source, String name, String prefix) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)}").matcher(source);
        if (!m.find()) throw new AssertionError("enum " + name + " not found in elementwise.cu");
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : "(no " + prefix + " prefix) " + s).toList();
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void elementwiseOpCodesMatchTheSpiOrdinals() throws IOException {
        Path dir = KernelSignatures.sourceDir();
        assumeTrue(dir != null, "kernels/src/main/cuda not found next to engine-cuda");
        String src = Files.readString(dir.resolve("elementwise.cu"));
        assertEquals(names(UnaryOp.values()), cEnum(src, "KilnUnary", "U_"), "KilnUnary vs dev.kiln.spi.UnaryOp");
        assertEquals(names(BinaryOp.values()), cEnum(src, "KilnBinary", "B_"), "KilnBinary vs dev.kiln.spi.BinaryOp");
        assertEquals(names(ScalarOp.values()), cEnum(src, "KilnScalar", "S_"), "KilnScalar vs dev.kiln.spi.ScalarOp");
    }
}
