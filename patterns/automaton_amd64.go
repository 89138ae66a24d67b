//go:build !purego

package patterns

import "golang.org/x/sys/cpu"

// hasAVX2 says whether the CPU runs filterAVX2; useAVX2 whether automata
// built from now on use it (tests build both kinds).
var hasAVX2 = cpu.X86.HasAVX2

var useAVX2 = hasAVX2

//go:noescape
func filterAVX2(bits *[1 << 14]uint32, data *byte, blocks int, out *uint32, mult *[2]uint32, carry uint32) (n int, carryOut uint32)
