//! A fixed-width bit set that lives inline up to 128 bits: the facts and visited nodes of a call
//! state, and the checker's data flow. Copying one, which the search does for every choice it
//! weighs, never allocates for a call a person writes.

/// A state's bit set. Up to 128 bits (facts plus condition-nodes, which covers every call a
/// person writes) live inline, so copying a state, which the best-path search does for every
/// choice it weighs, never allocates; larger sets fall back to the heap.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Bits {
    Inline { words: [u64; 2], len: u8 },
    Heap(Box<[u64]>),
}

impl Bits {
    pub fn zeros(words: usize) -> Bits {
        if words <= 2 {
            Bits::Inline {
                words: [0; 2],
                len: words as u8,
            }
        } else {
            Bits::Heap(vec![0; words].into_boxed_slice())
        }
    }
}

impl std::ops::Deref for Bits {
    type Target = [u64];
    #[inline]
    fn deref(&self) -> &[u64] {
        match self {
            Bits::Inline { words, len } => &words[..*len as usize],
            Bits::Heap(words) => words,
        }
    }
}

impl std::ops::DerefMut for Bits {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u64] {
        match self {
            Bits::Inline { words, len } => &mut words[..*len as usize],
            Bits::Heap(words) => words,
        }
    }
}
