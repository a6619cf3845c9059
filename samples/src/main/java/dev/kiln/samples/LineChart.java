package dev.kiln.samples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Path2D;
import java.util.List;
import java.util.Locale;

/** A minimal line chart drawn with java.awt: axes with rounded ticks, grid, one polyline per series, a legend. */
final class LineChart {
    /** One curve: (x, y) points in order; {@code markers} draws a dot on each point. */
    record Series(String name, Color color, List<double[]> points, boolean markers) {}

    private static final int LEFT = 64, RIGHT = 14, TOP = 30, BOTTOM = 44;

    private LineChart() {}

    /**
     * Draws the chart inside {@code area}; y is formatted with {@code yFormat} (e.g. "%.2f"). The y
     * axis ends at {@code yCap} when the data reach above it (NaN: no cap), curves being clipped
     * there; the legend sits in the top or bottom right corner.
     */
    static void draw(Graphics2D g, Rectangle area, String title, String xLabel, String yLabel, String yFormat, double yCap,
                     boolean legendTop, List<Series> series) {
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (!Double.isFinite(p[1])) continue;
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        if (x0 > x1) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
        if (y1 > yCap) y1 = yCap;
        x0 = Math.min(x0, 0);
        if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
        double yStep = niceStep((y1 - y0) / 5), xStep = niceStep(Math.max(1, (x1 - x0) / 6));
        y0 = Math.floor(y0 / yStep) * yStep;
        y1 = Math.ceil(y1 / yStep) * yStep;
        Rectangle plot = new Rectangle(area.x + LEFT, area.y + TOP, area.width - LEFT - RIGHT, area.height - TOP - BOTTOM);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        centered(g, title, area.x + area.width / 2, area.y + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (double y = y0; y <= y1 + yStep / 2; y += yStep) {
            int py = py(y, y0, y1, plot);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(plot.x, py, plot.x + plot.width, py);
            g.setColor(Color.DARK_GRAY);
            String t = String.format(Locale.ROOT, yFormat, y);
            g.drawString(t, plot.x - 6 - fm.stringWidth(t), py + fm.getAscent() / 2 - 1);
        }
        for (double x = Math.ceil(x0 / xStep) * xStep; x <= x1 + 1e-9; x += xStep) {
            int px = px(x, x0, x1, plot);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(px, plot.y, px, plot.y + plot.height);
            g.setColor(Color.DARK_GRAY);
            centered(g, String.format(Locale.ROOT, xStep >= 1 ? "%.0f" : "%.1f", x), px, plot.y + plot.height + 16);
        }
        g.setColor(Color.BLACK);
        g.drawRect(plot.x, plot.y, plot.width, plot.height);
        centered(g, xLabel, plot.x + plot.width / 2, plot.y + plot.height + 34);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        centered(rotated, yLabel, -(plot.y + plot.height / 2), area.x + 14);
        rotated.dispose();

        int legendY = legendTop ? plot.y + 16 : plot.y + plot.height - 16 * series.size() + 6;
        for (Series s : series) {
            Graphics2D clipped = (Graphics2D) g.create();
            clipped.clip(plot);
            clipped.setColor(s.color());
            clipped.setStroke(new BasicStroke(2f));
            Path2D.Double path = new Path2D.Double();
            boolean started = false;
            for (double[] p : s.points()) {
                if (!Double.isFinite(p[1])) continue;
                int px = px(p[0], x0, x1, plot), py = py(p[1], y0, y1, plot);
                if (started) path.lineTo(px, py);
                else path.moveTo(px, py);
                started = true;
                if (s.markers()) clipped.fillOval(px - 4, py - 4, 8, 8);
            }
            clipped.draw(path);
            clipped.dispose();
            g.setColor(s.color());
            int lx = plot.x + plot.width - 150;
            g.fillRect(lx, legendY - 5, 22, 3);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), lx + 28, legendY);
            legendY += 16;
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }

    private static int px(double x, double x0, double x1, Rectangle plot) {
        return plot.x + (int) Math.round((x - x0) / (x1 - x0) * plot.width);
    }

    private static int py(double y, double y0, double y1, Rectangle plot) {
        return plot.y + plot.height - (int) Math.round((y - y0) / (y1 - y0) * plot.height);
    }

    private static void centered(Graphics2D g, String text, int cx, int baseline) {
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }
}
