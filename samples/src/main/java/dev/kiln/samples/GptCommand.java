package dev.kiln.samples;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ./kiln gpt pretrain|finetune|generate}: the large-model workflow on a small GPT. Pre-train
 * on a fortune corpus ({@link GptPretrain}), adapt to the 300 Tang poems with LoRA, head-only or
 * full fine-tuning against training from scratch ({@link GptFinetune}), and generate text
 * ({@link GptGenerate}). Each subcommand lists its options with {@code --help}.
 */
public final class GptCommand {
    private GptCommand() {}

    private static final String USAGE = """
            usage: ./kiln gpt pretrain|finetune|generate [options]   (--help after a subcommand lists its options)
              pretrain  --corpus fortunes|chinese      train a BPE tokenizer and a small GPT, with validation loss and samples
              finetune  --from MODEL --method lora|head|full|scratch [--compare]   adapt it to the Tang poems
              generate  --checkpoint MODEL [--adapter LORA] --prompt TEXT           continue a prompt
            """;

    /** Runs the subcommand named first; exits with status 2 for a missing or unknown one. */
    public static void main(String[] argv) {
        int status = execute(argv, System.err);
        if (status != 0) System.exit(status);
    }

    /** As {@link #main}, returning the exit status (0, 1 or 2) and printing errors on {@code err}. */
    static int execute(String[] argv, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            (argv.length == 0 ? err : System.out).print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        return switch (argv[0]) {
            case "pretrain" -> Setup.execute(rest, GptPretrain.options(), GptPretrain::run, err);
            case "finetune" -> Setup.execute(rest, GptFinetune.options(), GptFinetune::run, err);
            case "generate" -> Setup.execute(rest, GptGenerate.options(), GptGenerate::run, err);
            default -> {
                err.print("kiln gpt: unknown subcommand '" + Failures.shorten(argv[0], 40) + "'\n\n" + USAGE);
                yield 2;
            }
        };
    }
}
