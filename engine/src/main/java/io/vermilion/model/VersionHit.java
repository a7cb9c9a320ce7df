package io.vermilion.model;

/**
 * A document of a version's index that a search found, before its record is loaded: its segment and document number
 * in the version's reader, its record's insertion sequence and its distance (or score). Only the version that
 * produced it can load it ({@link VersionReader#load}); a search ranks on these and loads only the page it returns.
 */
public record VersionHit(int leaf, int doc, long sequence, float distance) {}
