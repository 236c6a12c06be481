module alcarbon/bench/compress

go 1.26

require github.com/andybalholm/brotli v1.3.0

require github.com/klauspost/compress v1.20.1
