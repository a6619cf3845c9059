package dev.kiln.text;

import java.util.List;

/**
 * A corpus split by document into training and validation parts (see {@link TextCorpus#split}).
 *
 * @param train the training documents, in corpus order
 * @param validation the held-out documents, in corpus order
 */
public record DocumentSplit(List<String> train, List<String> validation) {
    /**
     * Copies both lists.
     *
     * @param train the training documents
     * @param validation the held-out documents
     */
    public DocumentSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
