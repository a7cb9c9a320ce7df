import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockLimits;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockReader;
import io.vermilion.blockstore.RecordBlockSetWriter;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.LocalIndexDirectory;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.arrow.memory.RootAllocator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Where records are read from: Lucene stored fields (+ embedding doc values), as the read path does today, or the
 * Arrow record blocks every version also writes. Builds one version's two copies of N records × 384 (the synthetic
 * set of {@code ScaleBench}, with the real dataset's package text as document and {"bucket", "section", "package"}
 * metadata), prints the bytes of each, then times, per request: get by 10 random ids; get where {"bucket": 3} limit
 * 10; the records of a query's 10 hits. Arrow blocks are read as a version stores them (4 MiB blocks in id order,
 * found through the block index) from local files, decoded per request, and also from a cache of decoded blocks.
 * {@code RecordCopiesBench N DIR DATASET}.
 */
public class RecordCopiesBench {

    static final int ROUNDS = 300;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Path data = Path.of(args[2]);
        float[][] base = IndexBench.readFvecs(data.resolve("base.fvecs"));
        float[][] queries = IndexBench.readFvecs(data.resolve("query.fvecs"));
        List<String[]> docs = new ArrayList<>(); // text, section, package
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : Files.readAllLines(data.resolve("docs.jsonl"))) {
            var node = json.readTree(line);
            docs.add(new String[] {node.path("text").asText(), node.path("section").asText(), node.path("package").asText()});
        }
        List<Record> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] doc = docs.get(i % docs.size());
            Map<String, MetadataValue> meta = new LinkedHashMap<>();
            meta.put("bucket", new MetadataValue.Int(i % 10));
            meta.put("section", new MetadataValue.Str(doc[1]));
            meta.put("package", new MetadataValue.Str(doc[2]));
            records.add(new Record("id-" + i, QueryBench.vector(base, i), meta, doc[0], null));
        }
        Path index = dir.resolve("index");
        Path blocks = dir.resolve("blocks");
        RootAllocator allocator = new RootAllocator();
        BlockIndex blockIndex;
        if (!Files.exists(dir.resolve(".built"))) {
            Files.createDirectories(blocks);
            IndexSchema schema = new IndexSchema(DistanceFunction.COSINE,
                    org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT, VectorQuantization.FLOAT32,
                    IndexSchema.DEFAULT_MAX_NEIGHBORS, IndexSchema.DEFAULT_EF_CONSTRUCTION);
            long t0 = System.nanoTime();
            try (Directory directory = FSDirectory.open(index);
                 CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, ScaleBench.MERGES)) {
                writer.addAll(records, r -> Long.parseLong(r.id().substring(3)), Runtime.getRuntime().availableProcessors());
                writer.forceMerge();
                writer.commit();
            }
            System.out.printf("index built in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
        long t1 = System.nanoTime();
        List<SequencedRecord> byId = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byId.add(new SequencedRecord(i, records.get(i)));
        }
        byId.sort((a, b) -> Arrays.compareUnsigned(a.id().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.id().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Files.createDirectories(blocks);
        RecordBlockSetWriter setWriter = new RecordBlockSetWriter(new RecordBlockWriter(allocator), BlockLimits.defaults(),
                i -> "block-" + i, (ref, bytes) -> {
                    try {
                        Files.write(blocks.resolve(ref.key()), bytes);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        for (SequencedRecord r : byId) {
            setWriter.add(r);
        }
        blockIndex = setWriter.finish();
        Files.writeString(dir.resolve(".built"), "");
        System.out.printf("blocks written in %.1f s: %d blocks%n", (System.nanoTime() - t1) / 1e9, blockIndex.size());

        TreeMap<String, Long> indexBytes = new TreeMap<>();
        try (var files = Files.list(index)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                indexBytes.merge(name.contains(".") ? name.substring(name.lastIndexOf('.')) : name, Files.size(f), Long::sum);
            }
        }
        long blockBytes;
        try (var files = Files.list(blocks)) {
            blockBytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        long stored = indexBytes.getOrDefault(".fdt", 0L) + indexBytes.getOrDefault(".fdx", 0L) + indexBytes.getOrDefault(".fdm", 0L);
        long total = indexBytes.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("N=%,d: Lucene index %.1f MiB (stored fields .fdt/.fdx/.fdm %.1f MiB, doc values .dvd %.1f MiB"
                        + " incl. embeddings, vectors .vec %.1f MiB, graph .vex %.1f MiB, terms/postings %.1f MiB);"
                        + " Arrow blocks %.1f MiB%n", n, mib(total), mib(stored), mib(indexBytes.getOrDefault(".dvd", 0L)),
                mib(indexBytes.getOrDefault(".vec", 0L)), mib(indexBytes.getOrDefault(".vex", 0L)),
                mib(indexBytes.getOrDefault(".tim", 0L) + indexBytes.getOrDefault(".doc", 0L)
                        + indexBytes.getOrDefault(".tip", 0L) + indexBytes.getOrDefault(".pos", 0L)),
                mib(blockBytes));

        RecordBlockReader blockReader = new RecordBlockReader(allocator);
        Map<String, RecordBlock> decoded = new HashMap<>();
        Where bucket3 = WhereParser.parse(json.readTree("{\"bucket\": 3}"));
        SplittableRandom random = new SplittableRandom(7);
        try (Directory directory = LocalIndexDirectory.open(index);
             IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            Supplier<List<String>> tenIds = () -> {
                java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
                while (ids.size() < 10) {
                    ids.add("id-" + random.nextInt(n));
                }
                return new ArrayList<>(ids);
            };
            // get by ids
            time("get 10 ids, Lucene stored fields", () -> check(10, reader.get(new GetRequest(tenIds.get(), null, null, null, 0, false)).size()));
            time("get 10 ids, Arrow blocks decoded per request", () -> check(10, fromBlocks(tenIds.get(), blockIndex, blocks, blockReader, null).size()));
            for (BlockRef ref : blockIndex.blocks()) { // the decoded-block cache, full
                decoded.put(ref.key(), blockReader.read(Files.readAllBytes(blocks.resolve(ref.key())), ref.key()));
            }
            time("get 10 ids, Arrow blocks decoded and cached", () -> check(10, fromBlocks(tenIds.get(), blockIndex, blocks, blockReader, decoded).size()));
            // get where + limit (insertion order): Lucene's filter and sequence-sorted segments; blocks are in id order
            time("get where bucket=3 limit 10, Lucene", () -> check(10, reader.get(new GetRequest(null, bucket3, null, 10, 0, false)).size()));
            time("get where bucket=3 limit 10, Arrow blocks decoded and cached (scan all)", () -> {
                List<long[]> matches = new ArrayList<>(); // sequence, block, row
                int b = 0;
                for (BlockRef ref : blockIndex.blocks()) {
                    RecordBlock block = decoded.get(ref.key());
                    for (int row = 0; row < block.size(); row++) {
                        MetadataValue v = block.record(row).metadata().get("bucket");
                        if (v instanceof MetadataValue.Int i && i.value() == 3) {
                            matches.add(new long[] {block.sequence(row), b, row});
                        }
                    }
                    b++;
                }
                matches.sort((x, y) -> Long.compare(x[0], y[0]));
                check(10, Math.min(10, matches.size()));
            });
            // the records of a query's hits
            int[] next = {0};
            time("query n=10 incl. documents+metadatas, Lucene (search + stored fields)", () -> check(10, reader.query(
                    new QueryRequest(List.of(queries[next[0]++ % queries.length]), 10, null, null, null, DistanceFunction.COSINE, 0, false)).get(0).size()));
            List<List<String>> hitIds = new ArrayList<>();
            for (int q = 0; q < ROUNDS; q++) {
                hitIds.add(reader.query(new QueryRequest(List.of(queries[q % queries.length]), 10, null, null, null,
                        DistanceFunction.COSINE, 0, false)).get(0).stream().map(h -> h.record().id()).toList());
            }
            int[] hit = {0};
            time("  its 10 hits' records, Lucene (get by ids)", () -> check(10, reader.get(new GetRequest(hitIds.get(hit[0]++ % ROUNDS), null, null, null, 0, false)).size()));
            hit[0] = 0;
            time("  its 10 hits' records, Arrow blocks decoded per request", () -> check(10, fromBlocks(hitIds.get(hit[0]++ % ROUNDS), blockIndex, blocks, blockReader, null).size()));
            hit[0] = 0;
            time("  its 10 hits' records, Arrow blocks decoded and cached", () -> check(10, fromBlocks(hitIds.get(hit[0]++ % ROUNDS), blockIndex, blocks, blockReader, decoded).size()));
        }
        long heap = IndexBench.heapAfterGc();
        System.out.printf("heap with every block decoded and cached: %.0f MiB (Arrow blocks on disk %.0f MiB)%n", mib(heap), mib(blockBytes));
        decoded.clear();
    }

    static List<Record> fromBlocks(List<String> ids, BlockIndex index, Path blocks, RecordBlockReader reader,
                                   Map<String, RecordBlock> cache) {
        Map<String, List<String>> byBlock = new LinkedHashMap<>();
        for (String id : ids) {
            BlockRef ref = index.blockFor(id);
            if (ref != null) {
                byBlock.computeIfAbsent(ref.key(), k -> new ArrayList<>()).add(id);
            }
        }
        List<Record> found = new ArrayList<>();
        byBlock.forEach((key, wanted) -> {
            RecordBlock block = cache != null ? cache.get(key) : read(reader, blocks, key);
            for (String id : wanted) {
                Record r = block.get(id);
                if (r != null) {
                    found.add(r);
                }
            }
        });
        return found;
    }

    static RecordBlock read(RecordBlockReader reader, Path blocks, String key) {
        try {
            return reader.read(Files.readAllBytes(blocks.resolve(key)), key);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void check(int want, int got) {
        if (want != got) {
            throw new IllegalStateException("expected " + want + " results, got " + got);
        }
    }

    static void time(String what, Runnable op) {
        for (int i = 0; i < 30; i++) {
            op.run(); // warm-up
        }
        long[] nanos = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            op.run();
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        System.out.printf("%-78s p50 %8.3f ms  p99 %8.3f ms%n", what, IndexBench.pct(nanos, 0.5), IndexBench.pct(nanos, 0.99));
    }

    static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
