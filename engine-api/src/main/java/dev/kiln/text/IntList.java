package dev.kiln.text;

import java.util.Arrays;

/** A growable int array, so token streams are built without boxing. */
final class IntList {
    private int[] a;
    private int size;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == a.length) grow(1);
        a[size++] = v;
    }

    void addAll(int[] vs) {
        if (size + vs.length > a.length) grow(vs.length);
        System.arraycopy(vs, 0, a, size, vs.length);
        size += vs.length;
    }

    private void grow(int extra) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, size + extra));
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
