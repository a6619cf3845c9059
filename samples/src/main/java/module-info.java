/**
 * Kiln's command-line samples ({@code ./kiln mnist}, {@code classify}, {@code doctor}, ...). The
 * launcher runs them on the class path; this descriptor lets them run as a module too, and shows
 * what an application module needs: {@code requires dev.kiln}, with a backend module
 * ({@code dev.kiln.cpu}, {@code dev.kiln.cuda}) on the module path, found as a service provider.
 */
module dev.kiln.samples {
    requires dev.kiln;
    requires java.desktop; // ImageIO and Java 2D: Predictor reads PNGs, Report draws its charts
}
