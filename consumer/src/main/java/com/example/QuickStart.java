package com.example;

import dev.kiln.Kiln;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.tensor.Tensor;
import java.util.Random;

/** Trains a small classifier on generated points: is (x, y) inside the unit circle? */
public class QuickStart {
    public static void main(String[] args) {
        System.out.println("backend: " + Kiln.backend().description());
        Random random = new Random(42);
        try (var model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 2));
             var adam = new Adam(model.parameters(), 0.01)) {
            var lossFn = new CrossEntropyLoss();
            for (int step = 1; step <= 200; step++) {
                // A batch of 64 points in [-1.5, 1.5]^2, labelled 1 inside the circle.
                float[] points = new float[64 * 2];
                int[] labels = new int[64];
                for (int i = 0; i < 64; i++) {
                    float x = 3 * random.nextFloat() - 1.5f, y = 3 * random.nextFloat() - 1.5f;
                    points[2 * i] = x;
                    points[2 * i + 1] = y;
                    labels[i] = x * x + y * y < 1 ? 1 : 0;
                }
                try (var scope = Kiln.scope()) { // frees this step's tensors when it closes
                    Tensor loss = lossFn.apply(model.forward(Tensor.fromArray(points, 64, 2)),
                                               Tensor.fromInts(labels, 64));
                    adam.zeroGrad();
                    loss.backward();
                    adam.step();
                    if (step % 50 == 0) System.out.printf("step %d: loss %.4f%n", step, loss.item());
                }
            }
        }
    }
}
