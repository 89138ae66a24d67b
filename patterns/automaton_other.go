//go:build !amd64 || purego

package patterns

// Off amd64 (or with the purego tag) collect's filter is pure Go.
var hasAVX2, useAVX2 = false, false

func filterAVX2(bits *[1 << 14]uint32, data *byte, blocks int, out *uint32, mult *[2]uint32, carry uint32) (n int, carryOut uint32) {
	panic("no AVX2 off amd64")
}
