package io.vermilion.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * Opens a local index folder for reading: memory-mapped, except the float32 vectors of an int8 (scalar quantized)
 * index, which are read with positional reads. Its search walks the graph over the quantized copy ({@code .veq});
 * the float32 copy ({@code .vec} beside it) is read only to re-score a few candidates per query, and memory-mapped,
 * each of those reads would map the pages around it into the process (fault-around, read-ahead) until most of the
 * float32 file were resident. Small files stay mapped: a collection that small is scanned exactly, over the float32
 * vectors, so they are its search structure.
 */
public final class LocalIndexDirectory {

    /** Float32 vector files below this size stay memory-mapped (about 2,700 vectors of 384 dimensions). */
    static final long MAPPED_BELOW = 4L << 20;

    private LocalIndexDirectory() {
    }

    /** The folder's index, as the class comment says; the caller closes it. */
    public static Directory open(Path folder) throws IOException {
        return open(folder, MAPPED_BELOW);
    }

    static Directory open(Path folder, long mappedBelow) throws IOException {
        MMapDirectory mapped = new MMapDirectory(folder);
        Set<String> rescoreOnly = new HashSet<>();
        for (String name : rescoreOnlyFiles(mapped.listAll())) {
            if (mapped.fileLength(name) >= mappedBelow) {
                rescoreOnly.add(name);
            }
        }
        if (rescoreOnly.isEmpty()) {
            return mapped;
        }
        NIOFSDirectory positional = new NIOFSDirectory(folder);
        return new FilterDirectory(mapped) {
            @Override
            public IndexInput openInput(String name, IOContext context) throws IOException {
                return rescoreOnly.contains(name) ? positional.openInput(name, context) : in.openInput(name, context);
            }

            @Override
            public void close() throws IOException {
                IOUtils.close(positional, in);
            }

            @Override
            public String toString() {
                return "LocalIndexDirectory(" + folder + ", read, not mapped: " + rescoreOnly + ")";
            }
        };
    }

    /**
     * The files among {@code names} that hold float32 vectors read only to re-score: a {@code .vec} file with a
     * {@code .veq} file (its quantized copy) of the same segment and format beside it.
     */
    static Set<String> rescoreOnlyFiles(String[] names) {
        Set<String> all = Set.of(names);
        Set<String> found = new HashSet<>();
        for (String name : names) {
            if (name.endsWith(".vec") && all.contains(name.substring(0, name.length() - 4) + ".veq")) {
                found.add(name);
            }
        }
        return found;
    }
}
