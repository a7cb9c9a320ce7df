package io.vermilion.compactor;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import io.vermilion.env.Environment;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.executor.CollectionView;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.LazyOpenOptions;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.storage.ObjectStore;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.testing.S3VersionStack;
import io.vermilion.testing.MutableClock;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Versions opened lazily from a real S3-compatible server over HTTP with empty local caches: they answer exactly as
 * fully downloaded ones, the first query fetches a small part of the version, a failing ranged read fails only that
 * read (and a retry succeeds), and the background download makes the version local. These read the graph over pages
 * (no cold candidates); kNN queries answered from sketches meanwhile: {@code io.vermilion.index.ColdSearchOnS3Test}.
 */
class LazyOpenOnS3Test {

    private static final int RECORDS = 6000;
    private static final int DIMENSION = 64;
    private static final int PAGE = 16 << 10;

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
    private Compactor compactor;

    @BeforeEach
    void writeAndCompact() {
        System.out.println("LazyOpenOnS3Test seed=" + seed);
        stack = S3VersionStack.start("lazy");
        work = stack.work();
        allocator = stack.allocator();
        s3 = stack.s3();
        log = stack.log();
        log.createCollection(collection);
        versions = stack.versions();
        writer = stack.writer();
        append(0, RECORDS);
        compactor = stack.compactor();
        assertEquals(1, await(compactor.compact(collection)).orElseThrow().version());
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    private void append(int from, int to) {
        for (int start = from; start < to; start += 500) {
            List<LogRecord> request = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + 500); i++) {
                float[] embedding = new float[DIMENSION];
                for (int d = 0; d < DIMENSION; d++) {
                    embedding[d] = random.nextFloat();
                }
                request.add(LogTestKit.add("r" + i, embedding));
            }
            await(writer.append(collection, request));
        }
    }

    private QueryRequest queries(int n) {
        List<float[]> vectors = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            float[] v = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                v[d] = random.nextFloat();
            }
            vectors.add(v);
        }
        return new QueryRequest(vectors, 10, null, null, null, DistanceFunction.L2);
    }

    private static List<List<String>> answers(List<List<QueryHit>> hits) {
        return hits.stream().map(list -> list.stream().map(h -> h.record().id() + "@" + h.distance()).toList()).toList();
    }

    private VersionRef current() {
        return await(versions.currentVersion(collection)).orElseThrow();
    }

    private List<VersionFile> indexFiles(VersionRef ref) {
        VersionManifest manifest = new ManifestReader().read(await(s3.get(ref.manifestKey())), ref.manifestKey());
        return manifest.files(VersionFile.Role.INDEX);
    }

    @Test
    void coldLazyReadsAnswerLikeTheFullDownloadAndFetchAFractionOfTheVersion() throws Exception {
        VersionRef ref = current();
        List<VersionFile> files = indexFiles(ref);
        long total = files.stream().mapToLong(VersionFile::size).sum();
        // Read whole on open: the commit point, segment infos, field infos.
        long readWholeOnOpen = files.stream().filter(f -> f.key().contains("segments_") || f.key().endsWith(".si")
                || f.key().endsWith(".fnm")).mapToLong(VersionFile::size).sum();
        QueryRequest request = queries(1);
        QueryRequest more = queries(20);

        IndexFileCache full = new IndexFileCache(s3, dir.resolve("full"), 1L << 30, work);
        List<List<String>> expected;
        List<List<String>> expectedMore;
        int expectedCount;
        try (IndexedCollectionReader reader = await(full.open(collection, ref, SearchParameters.DEFAULTS))) {
            expected = answers(reader.query(request));
            expectedMore = answers(reader.query(more));
            expectedCount = reader.get(GetRequest.all()).size();
        }
        assertEquals(RECORDS, expectedCount);
        assertEquals(1, full.fetches());
        java.util.Map<String, Long> parts = parts(dir.resolve("full").resolve(collection.toString())
                .resolve("%020d".formatted(ref.version())));
        System.out.println("index files by extension: " + parts);

        RecordingObjectStore recording = new RecordingObjectStore(s3);
        IndexFileCache lazy = new IndexFileCache(recording, dir.resolve("lazy"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, 0));
        try (IndexedCollectionReader reader = await(lazy.open(collection, ref, SearchParameters.DEFAULTS))) {
            assertEquals(expected, answers(reader.query(request)));
            long firstQuery = recording.rangedBytes();
            System.out.printf("version %d bytes in %d files; open + first query fetched %d bytes in %d ranges%n",
                    total, files.size(), firstQuery, recording.rangedReads());
            for (VersionFile file : files) {
                System.out.printf("  %s: %d of %d%n", file.key(), recording.rangedBytesByKey().getOrDefault(file.key(), 0L), file.size());
            }
            assertTrue(firstQuery >= readWholeOnOpen, "at least the files read whole on open: " + firstQuery);
            // The search reads the graph and the vectors it visits; of the rest (mostly the embeddings' doc values),
            // at most a page at either end of each part and two pages per hit (stored fields, embedding).
            long searched = parts.get("vec") + parts.get("vex");
            long slack = (2L * parts.size() + 2L * 10 + 2) * PAGE + readWholeOnOpen;
            assertTrue(firstQuery <= searched + slack, "graph, vectors and " + slack + " bytes at most: " + firstQuery);
            assertTrue(firstQuery < total - parts.get("dvd") + 2L * 10 * PAGE, "embeddings not fetched: " + firstQuery);
            assertEquals(expectedMore, answers(reader.query(more)));
            assertEquals(RECORDS, reader.get(GetRequest.all()).size());
            assertTrue(recording.rangedBytes() <= total, "no page is fetched twice while it is in memory");
        }
        assertEquals(1, lazy.lazyOpens());
        assertEquals(0, lazy.fetches());

        // A first read by id fetches a few pages of each part it uses, none of the vectors or graph.
        RecordingObjectStore byId = new RecordingObjectStore(s3);
        IndexFileCache lazyById = new IndexFileCache(byId, dir.resolve("by-id"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, 0));
        try (IndexedCollectionReader reader = await(lazyById.open(collection, ref, SearchParameters.DEFAULTS))) {
            assertEquals(List.of("r17"), reader.get(new GetRequest(List.of("r17"), null, null, null, 0)).stream()
                    .map(r -> r.id()).toList());
            long bound = readWholeOnOpen + (3L * parts.size()) * PAGE;
            assertTrue(byId.rangedBytes() <= bound, byId.rangedBytes() + " bytes, at most " + bound);
            System.out.printf("open + get by id fetched %d bytes (bound %d)%n", byId.rangedBytes(), bound);
        }
        assertFalse(Files.exists(dir.resolve("lazy").resolve(collection.toString()).resolve("%020d".formatted(1))));

        // With the background download on, the version becomes local, checked, and a restart opens it from disk.
        IndexFileCache warming = new IndexFileCache(s3, dir.resolve("warm"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 1 << 20, 4, 0));
        try (IndexedCollectionReader reader = await(warming.open(collection, ref, SearchParameters.DEFAULTS))) {
            assertEquals(expected, answers(reader.query(request)));
            await(warming.warmed(collection, ref.version()));
            assertEquals(1, warming.fetches());
            assertEquals(expectedMore, answers(reader.query(more)), "pages now come from the local copy");
        }
        IndexFileCache restarted = new IndexFileCache(s3, dir.resolve("warm"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 1 << 20, 4, 0));
        try (IndexedCollectionReader reader = await(restarted.open(collection, ref, SearchParameters.DEFAULTS))) {
            assertEquals(expectedMore, answers(reader.query(more)));
        }
        assertEquals(1, restarted.localOpens());
        assertEquals(0, restarted.lazyOpens());
    }

    @Test
    void aFailingRangedReadFailsThatReadAndTheNextSucceedsWhileThePreviousVersionServes() throws Exception {
        VersionRef first = current();
        FaultyObjectStore faulty = new FaultyObjectStore(s3);
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        IndexFileCache lazy = new IndexFileCache(faulty, dir.resolve("index"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 1 << 20, 0, 0));
        CollectionStateCache cache = new CollectionStateCache(s3, log, versions, lazy, SearchParameters.DEFAULTS,
                allocator, work, Environment.deterministic(clock, 7));
        QueryRequest request = queries(3);
        // The reference: the same versions fully downloaded before they are read.
        CollectionStateCache reference = new CollectionStateCache(s3, log, versions,
                new IndexFileCache(s3, dir.resolve("reference"), 1L << 30, work), SearchParameters.DEFAULTS, allocator, work);

        // Opening fails: the open pack's read and then the file-by-file reads that stand in for it fail with the
        // store's error, and so does the view; the next one succeeds.
        faulty.failRangesAfter(key -> key.contains("/v/"), 0);
        AssertionError failed = assertThrows(AssertionError.class, () -> await(cache.view(collection)));
        assertTrue(causes(failed).contains("injected failure of a ranged read"), causes(failed));
        faulty.healRanges();
        try (CollectionView view = await(cache.view(collection))) {
            assertEquals(1, view.versionNumber());
            assertEquals(answers(query(reference, null, request)), answers(view.query(request)));

            // A query needing pages not fetched yet fails with the store's error; asked again, it answers.
            faulty.failRangesAfter(key -> true, 0);
            QueryRequest other = queries(5);
            RuntimeException queryFailed = assertThrows(RuntimeException.class, () -> view.query(other));
            assertTrue(causes(queryFailed).contains("injected failure of a ranged read"), causes(queryFailed));
            faulty.healRanges();
            assertEquals(answers(query(reference, null, other)), answers(view.query(other)));
        }

        // Version 2 cannot be opened (every ranged read of its files fails: its open pack's, and the file-by-file
        // reads that stand in for it): the previous version keeps serving, with the newer records from its tail.
        append(RECORDS, RECORDS + 700);
        assertEquals(2, await(compactor.compact(collection)).orElseThrow().version());
        faulty.failRangesAfter(key -> !key.contains("/v/%020d/".formatted(1)), 0);
        await(cache.prepare(collection, current()));
        assertTrue(faulty.failedRanges() > 0, "the new version's ranged reads failed");
        try (CollectionView view = await(cache.view(collection, await(log.position(collection)).orElseThrow(), first))) {
            assertEquals(1, view.versionNumber());
            assertEquals(RECORDS + 700, view.count());
            assertEquals(answers(query(reference, first, request)), answers(view.query(request)));
        }
        faulty.healRanges();
        clock.advance(Duration.ofSeconds(2)); // past the retry pause after a failed switch
        await(cache.prepare(collection, current()));
        try (CollectionView view = await(cache.view(collection))) {
            assertEquals(2, view.versionNumber());
            assertEquals(answers(query(reference, current(), request)), answers(view.query(request)));
        }
    }

    @Test
    void aBackgroundDownloadFailingMidWayKeepsTheLazyReaderServingAndTheNextOpenStartsOver() throws Exception {
        VersionRef ref = current();
        QueryRequest request = queries(4);
        IndexFileCache full = new IndexFileCache(s3, dir.resolve("full"), 1L << 30, work);
        List<List<String>> expected;
        try (IndexedCollectionReader reader = await(full.open(collection, ref, SearchParameters.DEFAULTS))) {
            expected = answers(reader.query(request));
        }
        FaultyObjectStore faulty = new FaultyObjectStore(s3);
        IndexFileCache lazy = new IndexFileCache(faulty, dir.resolve("lazy"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 2, 0));
        Path folder = dir.resolve("lazy").resolve(collection.toString()).resolve("%020d".formatted(ref.version()));
        // Four pages in the middle of the embeddings' doc values (1.5 MB; not read on open, nor by a query) fail.
        faulty.failRangesOverlapping(".dvd", 1 << 20, (1 << 20) + 4 * PAGE);
        try (IndexedCollectionReader reader = await(lazy.open(collection, ref, SearchParameters.DEFAULTS))) {
            await(lazy.warmed(collection, ref.version()));
            assertTrue(faulty.failedRanges() > 0);
            assertEquals(0, lazy.fetches(), "the download failed");
            assertFalse(Files.exists(folder), "a failed download leaves no folder");
            try (var left = Files.list(folder.getParent())) {
                assertEquals(List.of(), left.toList(), "nor its fetch folder");
            }
            faulty.healRanges();
            assertEquals(expected, answers(reader.query(request)), "the lazy reader serves from the store");
        }
        try (IndexedCollectionReader reader = await(lazy.open(collection, ref, SearchParameters.DEFAULTS))) {
            assertEquals(expected, answers(reader.query(request)));
            await(lazy.warmed(collection, ref.version()));
        }
        assertEquals(2, lazy.lazyOpens());
        assertEquals(1, lazy.fetches());
        assertTrue(Files.isDirectory(folder));
    }

    /** The answer of {@code cache} on {@code version} (null: the current one) and the whole log after it. */
    private List<List<QueryHit>> query(CollectionStateCache cache, VersionRef version, QueryRequest request) {
        VersionRef on = version == null ? current() : version;
        await(cache.prepare(collection, on)); // moves to it if newer than what the cache holds
        try (CollectionView view = await(cache.view(collection, await(log.position(collection)).orElseThrow(), on))) {
            assertEquals(on.version(), view.versionNumber());
            return view.query(request);
        }
    }

    /** The sizes of the version's segment files by extension (from the local full copy; no compound files). */
    private static java.util.Map<String, Long> parts(Path folder) throws java.io.IOException {
        java.util.Map<String, Long> parts = new java.util.TreeMap<>();
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("_")) {
                    parts.merge(name.substring(name.lastIndexOf('.') + 1), Files.size(file), Long::sum);
                }
            }
        }
        assertFalse(parts.containsKey("cfs"), "the index writer writes no compound files");
        return parts;
    }

    private static String causes(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append(" <- ");
        }
        return all.toString();
    }
}
