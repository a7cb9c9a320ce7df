package io.vermilion.catalog;

/** The end of a collection's log (the offset the next record gets) and its fixed dimension, if any. */
public record LogPosition(long nextOffset, Integer dimension) {}
