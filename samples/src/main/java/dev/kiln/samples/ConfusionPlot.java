package dev.kiln.samples;

import dev.kiln.train.Evaluation;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/** A confusion matrix as a heat map: rows true classes, columns predictions, cells shaded by row share, counts printed. */
final class ConfusionPlot {
    private static final int CELL = 52, LEFT = 110, TOP = 80;

    private ConfusionPlot() {}

    static BufferedImage draw(String title, Evaluation e, String[] names) {
        int c = e.classes();
        BufferedImage img = new BufferedImage(LEFT + c * CELL + 30, TOP + c * CELL + 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Report.canvas(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title + " (accuracy " + Report.percent(e.accuracy()) + ")", 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("predicted", LEFT + c * CELL / 2 - 25, TOP - 28);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < c; i++) {
            long rowTotal = 0;
            for (long v : e.confusion()[i]) rowTotal += v;
            String name = names[i];
            g.setColor(Color.BLACK);
            g.drawString(name, LEFT - 8 - fm.stringWidth(name), TOP + i * CELL + CELL / 2 + 5);
            String col = shortName(names[i]);
            g.drawString(col, LEFT + i * CELL + (CELL - fm.stringWidth(col)) / 2, TOP - 8);
            for (int j = 0; j < c; j++) {
                long v = e.confusion()[i][j];
                double share = rowTotal == 0 ? 0 : (double) v / rowTotal;
                // diagonal in blue, errors in red; a small share still shows
                float t = (float) (v == 0 ? 0 : Math.max(0.08, i == j ? share : Math.min(1, share * 8)));
                Color base = i == j ? new Color(31, 119, 180) : new Color(214, 39, 40);
                g.setColor(mix(Color.WHITE, base, t));
                g.fillRect(LEFT + j * CELL, TOP + i * CELL, CELL, CELL);
                g.setColor(t > 0.6 ? Color.WHITE : Color.BLACK);
                String s = Long.toString(v);
                g.drawString(s, LEFT + j * CELL + (CELL - fm.stringWidth(s)) / 2, TOP + i * CELL + CELL / 2 + 5);
            }
        }
        g.setColor(Color.GRAY);
        for (int k = 0; k <= c; k++) {
            g.drawLine(LEFT, TOP + k * CELL, LEFT + c * CELL, TOP + k * CELL);
            g.drawLine(LEFT + k * CELL, TOP, LEFT + k * CELL, TOP + c * CELL);
        }
        g.setColor(Color.BLACK);
        g.drawString("rows: true class", 10, TOP + c * CELL + 30);
        g.dispose();
        return img;
    }

    private static String shortName(String name) {
        return name.length() <= 6 ? name : name.substring(0, 5) + ".";
    }

    private static Color mix(Color a, Color b, float t) {
        return new Color(Math.round(a.getRed() + (b.getRed() - a.getRed()) * t), Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }
}
