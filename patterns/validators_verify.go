package patterns

import (
	"regexp"
	"sync"
)

// azureAccountName finds the account a storage connection string names.
var azureAccountName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)AccountName=([a-z0-9]{3,24})(?:;|$)`) })

// checkAzureStorageAccount records the storage account a connection string
// names (attributes.azure_storage_account): the key alone cannot be
// verified, the key with its account can. It never drops a match.
func checkAzureStorageAccount(c *Candidate) (bool, string) {
	if m := azureAccountName().FindSubmatch(c.Match); m != nil {
		c.SetAttr("azure_storage_account", string(bytesToLower(m[1])))
	}
	return true, ""
}

func bytesToLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
