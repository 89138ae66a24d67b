//go:build !linux

package prestart

// heapOnHugePages does nothing here: huge-page advice for the heap is a
// Linux matter (see hugepages_linux.go).
func heapOnHugePages(int) {}
