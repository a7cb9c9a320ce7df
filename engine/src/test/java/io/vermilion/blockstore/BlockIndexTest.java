package io.vermilion.blockstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class BlockIndexTest {

    private final BlockIndex index = new BlockIndex(List.of(new BlockRef("b0", "c", "e", 2),
            new BlockRef("b1", "g", "i", 3), new BlockRef("b2", "m", "m", 1)));

    @Test
    void anIdsHomeIsTheBlockCoveringItElseThePrecedingBlockElseTheFirst() {
        assertEquals(0, index.home("a"), "before every block");
        assertEquals(0, index.home("c"));
        assertEquals(0, index.home("d"));
        assertEquals(0, index.home("f"), "between blocks 0 and 1");
        assertEquals(1, index.home("g"));
        assertEquals(1, index.home("k"), "between blocks 1 and 2");
        assertEquals(2, index.home("m"));
        assertEquals(2, index.home("z"), "after every block");
        assertEquals(-1, BlockIndex.empty().home("a"));
        assertEquals(-1, index.find("f"), "find still answers only for covered ids");
    }
}
