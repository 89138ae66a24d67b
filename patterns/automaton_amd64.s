//go:build !purego

#include "textflag.h"

// func filterAVX2(bits *[1 << 14]uint32, data *byte, blocks int, out *uint32, mult *[2]uint32, carry uint32) (n int, carryOut uint32)
//
// For each block of 32 bytes (reading 34), tests the sixteen even
// positions against bits (see Automaton.simd), hashing with mult and, when some may stop,
// writes block<<16 | mask to out: bit k of the mask is position 4k, bit
// 8+k position 4k+2. carry is whether position -2 holds the first half of a
// six-byte anchor.
TEXT ·filterAVX2(SB), NOSPLIT, $0-60
	MOVQ bits+0(FP), R9
	MOVQ data+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVQ out+24(FP), DI
	MOVQ mult+32(FP), R11
	MOVL carry+40(FP), R10
	MOVQ DI, R15
	XORQ R8, R8
	TESTQ CX, CX
	JZ done

	VPBROADCASTD fold<>(SB), Y15
	VPBROADCASTD 0(R11), Y14
	VPBROADCASTD low24<>(SB), Y13
	VPBROADCASTD 4(R11), Y12
	VPBROADCASTD seven<>(SB), Y11

loop:
	VMOVDQU (SI), Y0
	VMOVDQU 2(SI), Y1
	VPOR    Y15, Y0, Y0
	VPOR    Y15, Y1, Y1
	VPMULLD Y14, Y0, Y2 // four bytes at 4k
	VPMULLD Y14, Y1, Y3 // four bytes at 4k+2
	VPAND   Y13, Y0, Y4
	VPMULLD Y12, Y4, Y4 // three at 4k
	VPSRLD  $8, Y0, Y5
	VPMULLD Y12, Y5, Y5 // three at 4k+1
	VPAND   Y13, Y1, Y6
	VPMULLD Y12, Y6, Y6 // three at 4k+2
	VPSRLD  $8, Y1, Y7
	VPMULLD Y12, Y7, Y7 // three at 4k+3

// H becomes the word at H>>18, shifted right by (H>>13)&7 and ANDed with
// itself shifted by (H>>10)&7: bit 8g is whether both of an anchor's bits
// in group g are set.
#define LOOKUP(H) \
	VPSRLD     $18, H, Y8; \
	VPCMPEQD   Y9, Y9, Y9; \
	VPGATHERDD Y9, (R9)(Y8*4), Y0; \
	VPSRLD     $13, H, Y8; \
	VPAND      Y11, Y8, Y8; \
	VPSRLVD    Y8, Y0, Y8; \
	VPSRLD     $10, H, H; \
	VPAND      Y11, H, H; \
	VPSRLVD    H, Y0, H; \
	VPAND      Y8, H, H

	LOOKUP(Y2)
	LOOKUP(Y3)
	LOOKUP(Y4)
	LOOKUP(Y5)
	LOOKUP(Y6)
	LOOKUP(Y7)

	// Positions 4k: bit 0 of Y2 a four-byte anchor, bit 8 a first half,
	// bit 16 a second half; bit 24 of Y4, Y5 a three-byte one.
	VPOR      Y4, Y5, Y4
	VPSRLD    $24, Y4, Y4
	VPOR      Y2, Y4, Y4
	VPSLLD    $31, Y4, Y4
	VMOVMSKPS Y4, AX     // single 4k
	VPSLLD    $23, Y2, Y8
	VMOVMSKPS Y8, BX     // first 4k
	VPSLLD    $15, Y2, Y8
	VMOVMSKPS Y8, DX     // second 4k
	VPOR      Y6, Y7, Y6
	VPSRLD    $24, Y6, Y6
	VPOR      Y3, Y6, Y6
	VPSLLD    $31, Y6, Y6
	VMOVMSKPS Y6, R11    // single 4k+2
	VPSLLD    $23, Y3, Y8
	VMOVMSKPS Y8, R12    // first 4k+2
	VPSLLD    $15, Y3, Y8
	VMOVMSKPS Y8, R13    // second 4k+2

	// 4k: second half there and first at 4k-2 (the lane before, or carry)
	MOVL R12, R14
	SHLL $1, R14
	ORL  R10, R14
	ANDL R14, DX
	ORL  DX, AX
	MOVL R12, R10
	SHRL $7, R10
	// 4k+2: second half there and first at 4k
	ANDL BX, R13
	ORL  R13, R11
	SHLL $8, R11
	ORL  R11, AX

	MOVL  R8, BX
	SHLL  $16, BX
	ORL   AX, BX
	MOVL  BX, (DI)
	LEAQ  4(DI), R14
	TESTL AX, AX
	CMOVQNE R14, DI

	ADDQ $32, SI
	INCQ R8
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	SUBQ R15, DI
	SHRQ $2, DI
	MOVQ DI, n+48(FP)
	MOVL R10, carryOut+56(FP)
	RET

DATA fold<>+0(SB)/4, $0x20202020
GLOBL fold<>(SB), RODATA|NOPTR, $4
DATA low24<>+0(SB)/4, $0x00ffffff
GLOBL low24<>(SB), RODATA|NOPTR, $4
DATA seven<>+0(SB)/4, $7
GLOBL seven<>(SB), RODATA|NOPTR, $4
