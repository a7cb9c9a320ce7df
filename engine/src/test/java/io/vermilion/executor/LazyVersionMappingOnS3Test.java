package io.vermilion.executor;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.Compactor;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.LazyOpenOptions;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectStore;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.testing.S3VersionStack;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * A collection whose version is opened lazily from a real S3-compatible server over HTTP (empty local cache) switches
 * to the version's local, memory-mapped copy once the background download checks out, without a restart: later views
 * read the mapped reader and answer exactly as a fully downloaded version, views taken before the switch finish on the
 * paged reader, deleting the cache folder makes the replica cold again and it still answers exactly, and a failed
 * download leaves the paged reader serving (a later open downloads again).
 */
class LazyVersionMappingOnS3Test {

    private static final int RECORDS = 3000;
    private static final int DIMENSION = 32;
    private static final int PAGE = 4096;
    /** Every live record is a candidate: answers from the sketches are exact. */
    private static final LazyOpenOptions LAZY = new LazyOpenOptions(true, PAGE, 64 << 20, 2, RECORDS + 100);
    /** Every search is exact, so answers do not depend on the graph. */
    private static final SearchParameters EXACT = new SearchParameters(100, Integer.MAX_VALUE, 3f);

    @TempDir
    Path dir;

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private final Random random = new Random(seed);
    private final UUID collection = UUID.randomUUID();
    private S3VersionStack stack;
    private ExecutorService work;
    private BufferAllocator allocator;
    private ObjectStore s3;
    private InMemoryLogCatalog log;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;

    @BeforeEach
    void writeAVersionAndATail() {
        System.out.println("LazyVersionMappingOnS3Test seed=" + seed);
        stack = S3VersionStack.start("mapping");
        work = stack.work();
        allocator = stack.allocator();
        s3 = stack.s3();
        log = stack.log();
        log.createCollection(collection);
        versions = stack.versions();
        writer = stack.writer();
        Compactor compactor = stack.compactor();
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(LogTestKit.add("r" + i, randomVector()));
        }
        await(writer.append(collection, records));
        assertEquals(1, await(compactor.compact(collection)).orElseThrow().version());
        // A tail after the version: updates of compacted records (looked up in the version), a delete, new records.
        writeTail(0);
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    private void writeTail(int round) {
        List<LogRecord> tail = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tail.add(LogTestKit.record(Operation.UPDATE, "r" + (round * 100 + 7 * i), randomVector(), null, null));
        }
        tail.add(LogTestKit.record(Operation.DELETE, "r" + (round * 100 + 50), null, null, null));
        for (int i = 0; i < 20; i++) {
            tail.add(LogTestKit.add("n" + round + "-" + i, randomVector()));
        }
        await(writer.append(collection, tail));
    }

    private float[] randomVector() {
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    private QueryRequest queries(int n) {
        List<float[]> vectors = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            vectors.add(randomVector());
        }
        return new QueryRequest(vectors, 10, null, null, null, DistanceFunction.L2);
    }

    private static List<List<String>> answers(List<List<QueryHit>> hits) {
        return hits.stream().map(list -> list.stream().map(h -> h.record().id() + "@" + h.distance()).toList()).toList();
    }

    private VersionRef current() {
        return await(versions.currentVersion(collection)).orElseThrow();
    }

    /** A replica whose version is downloaded whole before it is read. */
    private CollectionStateCache fullDownload(String name, SearchParameters parameters) {
        return new CollectionStateCache(s3, log, versions, new IndexFileCache(s3, dir.resolve(name), 1L << 30, work),
                parameters, allocator, work);
    }

    private static List<List<String>> query(CollectionStateCache cache, UUID collection, QueryRequest request) {
        try (CollectionView view = await(cache.view(collection))) {
            return answers(view.query(request));
        }
    }

    private static List<String> ids(CollectionStateCache cache, UUID collection) {
        try (CollectionView view = await(cache.view(collection))) {
            return view.get(GetRequest.all()).stream().map(r -> r.id()).toList();
        }
    }

    @Test
    void onceDownloadedTheCollectionReadsTheMappedLocalCopyAndAViewTakenBeforeFinishesOnThePagedOne() {
        QueryRequest request = queries(6);
        // One query vector: the download starts after the first answer from the sketches, and once the version is
        // local, a paged reader searches its graph (ColdSearchOnS3Test), so later vectors could be answered so.
        QueryRequest first = queries(1);
        CollectionStateCache exact = fullDownload("exact", EXACT);
        CollectionStateCache graph = fullDownload("graph", SearchParameters.DEFAULTS);
        List<List<String>> fromSketches = query(exact, collection, first);
        IndexFileCache files = new IndexFileCache(s3, dir.resolve("cache").resolve("index"), 1L << 30, work,
                Environment.system(), LAZY);
        CollectionStateCache cache = new CollectionStateCache(s3, log, versions, files, SearchParameters.DEFAULTS,
                allocator, work);

        CollectionView before = await(cache.view(collection));
        try (before) {
            assertTrue(before.pagedVersion(), "opened lazily: the cache folder was empty");
            assertEquals(fromSketches, answers(before.query(first)), "from the sketches: exact");
            assertTrue(files.pageMemoryBytes() > 0, "pages held in memory");
            await(files.warmed(collection, 1)); // the first answer from the sketches started the download
            await(cache.mapped(collection));
            assertEquals(1, files.fetches(), "the download checked out");
            assertEquals(1, cache.versionsMapped());
            assertEquals(1, files.lazyOpens());
            assertEquals(1, files.localOpens(), "reopened from the local folder");

            try (CollectionView after = await(cache.view(collection))) {
                assertFalse(after.pagedVersion(), "the local, memory-mapped copy");
                assertEquals(1, after.versionNumber());
                assertEquals(query(graph, collection, request), answers(after.query(request)),
                        "as the fully downloaded version, over the same graph");
                assertEquals(ids(graph, collection), after.get(GetRequest.all()).stream().map(r -> r.id()).toList());
            }
            // The view taken before the switch still holds the paged reader, which answers (now over its graph).
            assertTrue(before.pagedVersion());
            assertEquals(query(graph, collection, request), answers(before.query(request)));
            assertTrue(files.pageMemoryBytes() > 0);
        }
        assertEquals(0, files.pageMemoryBytes(), "the paged reader closed with the last view on it, and its pages went");

        // The tail keeps growing over the mapped version: updates of compacted records are looked up in it.
        writeTail(1);
        QueryRequest more = queries(4);
        try (CollectionView view = await(cache.view(collection))) {
            assertFalse(view.pagedVersion());
            assertEquals(query(graph, collection, more), answers(view.query(more)));
            assertEquals(ids(graph, collection), view.get(GetRequest.all()).stream().map(r -> r.id()).toList());
        }
        assertEquals(1, cache.versionsMapped());
        assertEquals(1, files.fetches(), "nothing downloaded again");
    }

    @Test
    void deletingTheCacheFolderMakesTheReplicaColdAndItStillAnswersExactly() throws Exception {
        QueryRequest request = queries(5);
        CollectionStateCache exact = fullDownload("exact", EXACT);
        List<List<String>> expected = query(exact, collection, request);
        Path cacheFolder = dir.resolve("cache");
        IndexFileCache files = new IndexFileCache(s3, cacheFolder.resolve("index"), 1L << 30, work,
                Environment.system(), LAZY);
        CollectionStateCache cache = new CollectionStateCache(s3, log, versions, files, EXACT, allocator, work);
        assertEquals(expected, query(cache, collection, request));
        await(files.warmed(collection, 1));
        await(cache.mapped(collection));
        assertEquals(1, cache.versionsMapped());

        // Deleted while the replica runs: the mapped version still answers; once the collection's state is dropped,
        // the next read opens the version lazily again (nothing local) and answers exactly, and it is mapped again.
        LocalFolders.delete(cacheFolder);
        assertEquals(expected, query(cache, collection, request));
        cache.evict(collection);
        try (CollectionView view = await(cache.view(collection))) {
            assertTrue(view.pagedVersion(), "cold again");
            assertEquals(expected, answers(view.query(request)));
        }
        assertEquals(2, files.lazyOpens());
        await(files.warmed(collection, 1));
        await(cache.mapped(collection));
        assertEquals(2, cache.versionsMapped());
        assertTrue(Files.isDirectory(cacheFolder.resolve("index").resolve(collection.toString())
                .resolve("%020d".formatted(1))));

        // Deleted while the replica is down: it starts cold, answers exactly, and maps the version again.
        LocalFolders.delete(cacheFolder);
        IndexFileCache restartedFiles = new IndexFileCache(s3, cacheFolder.resolve("index"), 1L << 30, work,
                Environment.system(), LAZY);
        CollectionStateCache restarted = new CollectionStateCache(s3, log, versions, restartedFiles, EXACT, allocator,
                work);
        try (CollectionView view = await(restarted.view(collection))) {
            assertTrue(view.pagedVersion());
            assertEquals(expected, answers(view.query(request)));
            assertEquals(ids(exact, collection), view.get(GetRequest.all()).stream().map(r -> r.id()).toList());
        }
        await(restartedFiles.warmed(collection, 1));
        await(restarted.mapped(collection));
        try (CollectionView view = await(restarted.view(collection))) {
            assertFalse(view.pagedVersion());
            assertEquals(expected, answers(view.query(request)));
        }
        assertEquals(1, restartedFiles.lazyOpens());
        assertEquals(1, restarted.versionsMapped());
    }

    @Test
    void aFailedDownloadLeavesThePagedReaderServingAndALaterOpenDownloadsAgain() {
        QueryRequest request = queries(5);
        CollectionStateCache exact = fullDownload("exact", EXACT);
        List<List<String>> expected = query(exact, collection, request);
        // A page in the middle of the largest file (not read on open) fails: the download cannot finish.
        VersionRef ref = current();
        VersionManifest manifest = new ManifestReader().read(await(s3.get(ref.manifestKey())), ref.manifestKey());
        VersionFile largest = manifest.files(VersionFile.Role.INDEX).stream()
                .max(Comparator.comparingLong(VersionFile::size)).orElseThrow();
        long middle = largest.size() / 2 / PAGE * PAGE;
        FaultyObjectStore faulty = new FaultyObjectStore(s3);
        faulty.failRangesOverlapping(largest.key().substring(largest.key().lastIndexOf('/')), middle, middle + PAGE);
        IndexFileCache files = new IndexFileCache(faulty, dir.resolve("cache").resolve("index"), 1L << 30, work,
                Environment.system(), LAZY);
        CollectionStateCache cache = new CollectionStateCache(s3, log, versions, files, EXACT, allocator, work);

        try (CollectionView view = await(cache.view(collection))) {
            assertTrue(view.pagedVersion());
        }
        await(files.warmed(collection, 1)); // started after the warm delay: no query answered yet
        assertTrue(faulty.failedRanges() > 0);
        assertEquals(0, files.fetches(), "the download failed");
        await(cache.mapped(collection)); // nothing to switch to
        assertEquals(0, cache.versionsMapped());
        faulty.healRanges();
        try (CollectionView view = await(cache.view(collection))) {
            assertTrue(view.pagedVersion(), "the paged reader serves on");
            assertEquals(expected, answers(view.query(request)));
        }

        // The state dropped, the next read opens the version again, whose download now completes and is mapped.
        cache.evict(collection);
        assertEquals(expected, query(cache, collection, request));
        assertEquals(2, files.lazyOpens());
        await(files.warmed(collection, 1));
        await(cache.mapped(collection));
        assertEquals(1, files.fetches());
        assertEquals(1, cache.versionsMapped());
        try (CollectionView view = await(cache.view(collection))) {
            assertFalse(view.pagedVersion());
            assertEquals(expected, answers(view.query(request)));
        }
    }
}
