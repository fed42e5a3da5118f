// Poseidon hash (placeholder; see issue 6).
