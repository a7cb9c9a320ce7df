package io.vermilion.index;

import io.vermilion.filter.CompareOp;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.filter.WhereDocument;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexOrDocValuesQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/**
 * Translates a request's {@code ids}, {@code where} and {@code where_document} into Lucene queries over the fields
 * of {@link IndexFields}, with Chroma's semantics as the filter ASTs' own {@code matches} define them.
 *
 * <p>Each node becomes a pair {@code certain ⊆ matching ⊆ candidates}. Most operators are exact (the two are one
 * query): scalar strings and bools are terms; numbers are point ranges over both the int and the float field of a
 * key, with the operand converted as Chroma converts it (a float operand meets stored ints truncated toward zero,
 * an int operand meets stored floats as a double; IEEE zeros and infinities handled); {@code $in} is a term or point
 * set; array {@code $contains} is a typed element term; {@code $ne}, {@code $nin}, {@code $not_contains} are
 * complements (so records lacking the key match). Document {@code $contains} is a phrase over code-point trigrams
 * (exact for three or more code points), a uni/bigram term (one or two), or presence of a document ({@code ""}).
 * Inexact leaves — {@code $regex} (narrowed by the literals it requires), hashed long strings, text with unpaired
 * surrogates — give candidates only; a negation swaps the two sides. The final query verifies the candidates that
 * are not certain against the ASTs ({@link Translation#query}). A filter with more clauses than Lucene allows in
 * one query ({@link IndexSearcher#getMaxClauseCount}) is verified record by record. Stateless, thread-safe.
 */
public final class FilterTranslator {

    private static final Query ALL = new MatchAllDocsQuery();
    private static final Query NONE = new MatchNoDocsQuery();
    private static final Query HAS_DOCUMENT =
            new TermQuery(new Term(IndexFields.KEYS, IndexFields.stringTerm(IndexFields.CHROMA_DOCUMENT_KEY)));

    private FilterTranslator() {}

    /**
     * A translated filter: {@code candidates} matches every record that passes (and maybe more), {@code certain}
     * only records that pass; {@code exact} when they are the same query.
     */
    public record Translation(Query candidates, Query certain, boolean exact, Predicate<Record> verifier) {

        /** A query matching exactly the records that pass: the index query, or it plus stored-record checks. */
        public Query query() {
            return exact ? candidates : new VerifiedQuery(candidates, certain, verifier);
        }

        /** The same filter checked record by record over every document (when the index query is too large). */
        Query verifyAll() {
            return new VerifiedQuery(ALL, NONE, verifier);
        }
    }

    /** The filter of a get/query/delete request; each argument may be null (no such filter). */
    public static Translation translate(List<String> ids, Where where, WhereDocument whereDocument) {
        Set<String> idSet = ids == null ? null : new HashSet<>(ids);
        Predicate<Record> verifier = record -> (idSet == null || idSet.contains(record.id()))
                && (where == null || where.matches(record))
                && (whereDocument == null || whereDocument.matches(record));
        Part all;
        try {
            List<Part> parts = new ArrayList<>(3);
            if (ids != null) {
                parts.add(ids(ids));
            }
            if (where != null) {
                parts.add(where(where));
            }
            if (whereDocument != null) {
                parts.add(document(whereDocument));
            }
            all = and(parts);
        } catch (IndexSearcher.TooManyClauses e) {
            // More clauses in one boolean query than Lucene allows: check every record instead.
            all = new Part(ALL, NONE, false);
        }
        return new Translation(all.candidates, all.certain, all.exact, verifier);
    }

    // ---- the bracketing pair and its algebra ----

    private record Part(Query candidates, Query certain, boolean exact) {
        static Part exact(Query query) {
            return new Part(query, query, true);
        }

        static Part candidates(Query query) {
            return new Part(query, NONE, false);
        }
    }

    private static Part and(List<Part> parts) {
        boolean exact = parts.stream().allMatch(Part::exact);
        Query candidates = conjunction(parts.stream().map(Part::candidates).toList());
        return exact ? Part.exact(candidates) : new Part(candidates, conjunction(parts.stream().map(Part::certain).toList()), false);
    }

    private static Part or(List<Part> parts) {
        boolean exact = parts.stream().allMatch(Part::exact);
        Query candidates = disjunction(parts.stream().map(Part::candidates).toList());
        return exact ? Part.exact(candidates) : new Part(candidates, disjunction(parts.stream().map(Part::certain).toList()), false);
    }

    private static Part not(Part part) {
        return part.exact ? Part.exact(complement(part.candidates)) : new Part(complement(part.certain), complement(part.candidates), false);
    }

    private static Query conjunction(List<Query> queries) {
        List<Query> kept = new ArrayList<>();
        for (Query q : queries) {
            if (q instanceof MatchNoDocsQuery) {
                return NONE;
            }
            if (!(q instanceof MatchAllDocsQuery)) {
                kept.add(q);
            }
        }
        if (kept.isEmpty()) {
            return ALL;
        }
        if (kept.size() == 1) {
            return kept.get(0);
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        kept.forEach(q -> b.add(q, BooleanClause.Occur.FILTER));
        return b.build();
    }

    private static Query disjunction(List<Query> queries) {
        List<Query> kept = new ArrayList<>();
        for (Query q : queries) {
            if (q instanceof MatchAllDocsQuery) {
                return ALL;
            }
            if (!(q instanceof MatchNoDocsQuery)) {
                kept.add(q);
            }
        }
        if (kept.isEmpty()) {
            return NONE;
        }
        if (kept.size() == 1) {
            return kept.get(0);
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        kept.forEach(q -> b.add(q, BooleanClause.Occur.SHOULD));
        return b.build();
    }

    /** Every live document not matching {@code query}. */
    private static Query complement(Query query) {
        if (query instanceof MatchAllDocsQuery) {
            return NONE;
        }
        if (query instanceof MatchNoDocsQuery) {
            return ALL;
        }
        return new BooleanQuery.Builder()
                .add(ALL, BooleanClause.Occur.FILTER)
                .add(query, BooleanClause.Occur.MUST_NOT)
                .build();
    }

    // ---- ids ----

    private static Part ids(List<String> ids) {
        if (ids.isEmpty()) {
            return Part.exact(NONE);
        }
        Set<BytesRef> terms = new LinkedHashSet<>();
        boolean exact = true;
        for (String id : ids) {
            terms.add(IndexFields.stringTerm(id));
            exact &= IndexFields.isRawString(id);
        }
        Query query = new TermInSetQuery(IndexFields.ID, terms);
        return exact ? Part.exact(query) : Part.candidates(query);
    }

    // ---- where ----

    private static Part where(Where where) {
        return switch (where) {
            case Where.And and -> and(and.children().stream().map(FilterTranslator::where).toList());
            case Where.Or or -> or(or.children().stream().map(FilterTranslator::where).toList());
            case Where.Compare c -> compare(c.key(), c.op(), c.value());
            case Where.In in -> in(in.key(), in.values());
            case Where.NotIn nin -> not(in(nin.key(), nin.values()));
            case Where.ArrayContains c -> arrayContains(c.key(), c.value());
            case Where.ArrayNotContains c -> not(arrayContains(c.key(), c.value()));
            case Where.Document d -> document(d.filter());
        };
    }

    private static Part compare(String key, CompareOp op, MetadataValue value) {
        if (op == CompareOp.NE) {
            return not(compare(key, CompareOp.EQ, value));
        }
        if (key.equals(WhereParser.ID_KEY) && value instanceof MetadataValue.Str s) {
            return ids(List.of(s.value()));
        }
        return switch (value) {
            case MetadataValue.Str s -> {
                Query q = new TermQuery(new Term(IndexFields.keywordField(key), IndexFields.stringTerm(s.value())));
                yield IndexFields.isRawString(s.value()) ? Part.exact(q) : Part.candidates(q);
            }
            case MetadataValue.Bool b -> Part.exact(new TermQuery(new Term(IndexFields.keywordField(key), IndexFields.boolTerm(b.value()))));
            // Chroma: an int operand meets stored floats as (double) i; a float operand meets stored ints as (long) f.
            case MetadataValue.Int i -> Part.exact(disjunction(List.of(
                    longRange(key, op, i.value()), doubleRange(key, op, (double) i.value()))));
            case MetadataValue.Flt f -> Part.exact(disjunction(List.of(
                    longRange(key, op, (long) f.value()), doubleRange(key, op, f.value()))));
            case MetadataValue.Array a -> throw new IllegalArgumentException("array operand");
            case MetadataValue.Sparse v -> throw new IllegalArgumentException("sparse vector operand");
        };
    }

    /** Stored ints {@code v} with {@code Long.compare(v, t) op 0}. */
    private static Query longRange(String key, CompareOp op, long t) {
        long lo;
        long hi;
        switch (op) {
            case EQ -> { lo = t; hi = t; }
            case GT -> { if (t == Long.MAX_VALUE) return NONE; lo = t + 1; hi = Long.MAX_VALUE; }
            case GTE -> { lo = t; hi = Long.MAX_VALUE; }
            case LT -> { if (t == Long.MIN_VALUE) return NONE; lo = Long.MIN_VALUE; hi = t - 1; }
            case LTE -> { lo = Long.MIN_VALUE; hi = t; }
            default -> throw new IllegalArgumentException(op.operator());
        }
        String field = IndexFields.intField(key);
        return new IndexOrDocValuesQuery(LongPoint.newRangeQuery(field, lo, hi), SortedNumericDocValuesField.newSlowRangeQuery(field, lo, hi));
    }

    /**
     * Stored floats {@code v} with {@code v op x} in IEEE arithmetic: NaN matches nothing (and is not indexed),
     * {@code -0.0 == 0.0}. Points order {@code -0.0} below {@code 0.0}, so bounds at zero take the right sign.
     */
    private static Query doubleRange(String key, CompareOp op, double x) {
        if (Double.isNaN(x)) {
            return NONE;
        }
        double lo;
        double hi;
        switch (op) {
            case EQ -> { lo = x == 0 ? -0.0 : x; hi = x == 0 ? 0.0 : x; }
            case GT -> { if (x == Double.POSITIVE_INFINITY) return NONE; lo = x == 0 ? Double.MIN_VALUE : Math.nextUp(x); hi = Double.POSITIVE_INFINITY; }
            case GTE -> { lo = x == 0 ? -0.0 : x; hi = Double.POSITIVE_INFINITY; }
            case LT -> { if (x == Double.NEGATIVE_INFINITY) return NONE; lo = Double.NEGATIVE_INFINITY; hi = x == 0 ? -Double.MIN_VALUE : Math.nextDown(x); }
            case LTE -> { lo = Double.NEGATIVE_INFINITY; hi = x == 0 ? 0.0 : x; }
            default -> throw new IllegalArgumentException(op.operator());
        }
        String field = IndexFields.floatField(key);
        return new IndexOrDocValuesQuery(
                DoublePoint.newRangeQuery(field, lo, hi),
                SortedNumericDocValuesField.newSlowRangeQuery(field, NumericUtils.doubleToSortableLong(lo), NumericUtils.doubleToSortableLong(hi)));
    }

    /** {@code $in}: equality with any of {@code values} (one scalar type, see Where.In), as a term or point set. */
    private static Part in(String key, List<MetadataValue> values) {
        if (key.equals(WhereParser.ID_KEY) && values.get(0) instanceof MetadataValue.Str) {
            return ids(values.stream().map(v -> ((MetadataValue.Str) v).value()).toList());
        }
        return switch (values.get(0)) {
            case MetadataValue.Str s -> {
                Set<BytesRef> terms = new LinkedHashSet<>();
                boolean exact = true;
                for (MetadataValue v : values) {
                    String text = ((MetadataValue.Str) v).value();
                    terms.add(IndexFields.stringTerm(text));
                    exact &= IndexFields.isRawString(text);
                }
                Query q = new TermInSetQuery(IndexFields.keywordField(key), terms);
                yield exact ? Part.exact(q) : Part.candidates(q);
            }
            case MetadataValue.Bool b -> {
                Set<BytesRef> terms = new LinkedHashSet<>();
                values.forEach(v -> terms.add(IndexFields.boolTerm(((MetadataValue.Bool) v).value())));
                yield Part.exact(new TermInSetQuery(IndexFields.keywordField(key), terms));
            }
            case MetadataValue.Int i -> {
                long[] ints = values.stream().mapToLong(v -> ((MetadataValue.Int) v).value()).toArray();
                double[] floats = values.stream().mapToDouble(v -> (double) ((MetadataValue.Int) v).value()).toArray();
                yield Part.exact(numberSet(key, ints, floats));
            }
            case MetadataValue.Flt f -> {
                long[] ints = values.stream().mapToLong(v -> (long) ((MetadataValue.Flt) v).value()).toArray();
                double[] floats = values.stream().mapToDouble(v -> ((MetadataValue.Flt) v).value()).toArray();
                yield Part.exact(numberSet(key, ints, floats));
            }
            case MetadataValue.Array a -> throw new IllegalArgumentException("array operand");
            case MetadataValue.Sparse v -> throw new IllegalArgumentException("sparse vector operand");
        };
    }

    /** Stored ints equal to one of {@code ints} or stored floats IEEE-equal to one of {@code floats}. */
    private static Query numberSet(String key, long[] ints, double[] floats) {
        Set<Double> points = new LinkedHashSet<>();
        for (double x : floats) {
            if (x == 0) {
                points.add(-0.0);
                points.add(0.0);
            } else if (!Double.isNaN(x)) {
                points.add(x);
            }
        }
        Query intQuery = LongPoint.newSetQuery(IndexFields.intField(key), ints);
        Query floatQuery = points.isEmpty() ? NONE : DoublePoint.newSetQuery(IndexFields.floatField(key), points);
        return disjunction(List.of(intQuery, floatQuery));
    }

    /** Metadata {@code $contains}: an array value holding this element with exactly its type. */
    private static Part arrayContains(String key, MetadataValue element) {
        BytesRef term = IndexFields.elementTerm(element);
        if (term == null) {
            return Part.exact(NONE);
        }
        Query q = new TermQuery(new Term(IndexFields.arrayField(key), term));
        return IndexFields.isExactElement(element) ? Part.exact(q) : Part.candidates(q);
    }

    // ---- where_document ----

    private static Part document(WhereDocument filter) {
        return switch (filter) {
            case WhereDocument.And and -> and(and.children().stream().map(FilterTranslator::document).toList());
            case WhereDocument.Or or -> or(or.children().stream().map(FilterTranslator::document).toList());
            case WhereDocument.Contains c -> contains(c.text());
            case WhereDocument.NotContains c -> not(contains(c.text()));
            case WhereDocument.Regex r -> regex(r.pattern().source());
            case WhereDocument.NotRegex r -> not(regex(r.pattern().source()));
        };
    }

    /**
     * Documents containing {@code text} (case-sensitive). Trigrams sit at their code-point offset, so a phrase of
     * the pattern's trigrams at offsets 0, 3, 6, … and the last one covers every code point: a phrase match is a
     * substring match. Text UTF-8 cannot carry exactly (unpaired surrogates), or U+FFFD which stands for them in
     * the index, falls back to candidates.
     */
    private static Part contains(String text) {
        if (text.isEmpty()) {
            return Part.exact(HAS_DOCUMENT);
        }
        if (!IndexFields.isWellFormed(text) || text.indexOf('\uFFFD') >= 0) {
            return Part.candidates(HAS_DOCUMENT);
        }
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints <= 2) {
            return Part.exact(new TermQuery(new Term(IndexFields.GRAMS12, text)));
        }
        if (codePoints == 3) {
            return Part.exact(new TermQuery(new Term(IndexFields.GRAMS3, text)));
        }
        PhraseQuery.Builder phrase = new PhraseQuery.Builder();
        int last = codePoints - 3;
        for (int position = 0; ; position = Math.min(position + 3, last)) {
            int start = text.offsetByCodePoints(0, position);
            int end = text.offsetByCodePoints(start, 3);
            phrase.add(new Term(IndexFields.GRAMS3, text.substring(start, end)), position);
            if (position == last) {
                break;
            }
        }
        return Part.exact(phrase.build());
    }

    /** {@code $regex}: a plain literal is a substring test; otherwise candidates containing its required literals. */
    private static Part regex(String pattern) {
        RegexLiterals.Analysis analysis = RegexLiterals.analyze(pattern);
        if (analysis.literal()) {
            return contains(analysis.required().get(0));
        }
        List<Query> required = new ArrayList<>();
        required.add(HAS_DOCUMENT);
        for (String literal : analysis.required()) {
            required.add(contains(literal).candidates);
        }
        return Part.candidates(conjunction(required));
    }
}
