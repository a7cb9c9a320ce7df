package io.vermilion.index;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Set;

import org.apache.lucene.store.BaseDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.NoLockFactory;

/**
 * A read-only Lucene {@link org.apache.lucene.store.Directory} over a version's index files in object storage, read in
 * pages through {@link PagedIndexFiles}: opening a reader and searching fetch only the pages they touch. Lengths come
 * from the manifest, so nothing is fetched to list or size files. Thread-safe.
 */
final class LazyIndexDirectory extends BaseDirectory {

    private final PagedIndexFiles files;
    private final String description;

    LazyIndexDirectory(PagedIndexFiles files, String description) {
        super(NoLockFactory.INSTANCE);
        this.files = files;
        this.description = description;
    }

    @Override
    public String[] listAll() {
        ensureOpen();
        String[] names = files.names();
        Arrays.sort(names);
        return names;
    }

    @Override
    public long fileLength(String name) throws IOException {
        ensureOpen();
        return file(name).length();
    }

    @Override
    public IndexInput openInput(String name, IOContext context) throws IOException {
        ensureOpen();
        PagedIndexFiles.PagedFile file = file(name);
        return new LazyIndexInput("LazyIndexInput(" + name + " in " + description + ")", file, 0, file.length(),
                files.pageBytes());
    }

    private PagedIndexFiles.PagedFile file(String name) throws NoSuchFileException {
        PagedIndexFiles.PagedFile file = files.file(name);
        if (file == null) {
            throw new NoSuchFileException(name + " in " + description);
        }
        return file;
    }

    @Override
    public void deleteFile(String name) {
        throw readOnly();
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) {
        throw readOnly();
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) {
        throw readOnly();
    }

    @Override
    public void sync(Collection<String> names) {
        throw readOnly();
    }

    @Override
    public void syncMetaData() {
        throw readOnly();
    }

    @Override
    public void rename(String source, String dest) {
        throw readOnly();
    }

    @Override
    public Set<String> getPendingDeletions() {
        return Set.of();
    }

    @Override
    public void close() {
        isOpen = false;
    }

    @Override
    public String toString() {
        return description;
    }

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("a lazily opened version is read-only: " + description);
    }
}
