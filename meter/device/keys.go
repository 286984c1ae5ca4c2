package device

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/meter/journal"
)

// keysFile holds, in the state directory, the keys a key_transfer
// changed: they replace the configured ones from then on, across
// restarts, until the file is deleted.
const keysFile = "keys.json"

// keyStore is the security setup's key store: the configured keys,
// overlaid by those key_transfer changed. A change is durable (keysFile
// written and synced) before SetKey returns, so a meter that answered a
// key_transfer never comes back with its old keys. Without a state
// directory changes are kept in memory only. Safe for concurrent use.
type keyStore struct {
	*cosem.MemKeys
	dir string

	mu      sync.Mutex
	changed map[cosem.KeyID][]byte
}

// openKeys returns the store of the configured keys overlaid by those
// persisted in dir (if dir is not empty).
func openKeys(dir string, configured map[cosem.KeyID][]byte) (*keyStore, error) {
	k := &keyStore{dir: dir, changed: map[cosem.KeyID][]byte{}}
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, keysFile))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("device: keys: %w", err)
		default:
			if err := json.Unmarshal(b, &k.changed); err != nil {
				return nil, fmt.Errorf("device: %s: %w", keysFile, err)
			}
			clear(b)
		}
	}
	keys := maps.Clone(configured)
	for id, key := range k.changed {
		if id > cosem.KeyMaster || len(key) != dlms.KeySize {
			return nil, fmt.Errorf("device: %s: %s of %d bytes", keysFile, id, len(key))
		}
		keys[id] = key
	}
	k.MemKeys = cosem.NewMemKeys(keys)
	return k, nil
}

// SetKey persists key id and then puts it in force.
func (k *keyStore) SetKey(ctx context.Context, id cosem.KeyID, key []byte) error {
	if len(key) != dlms.KeySize {
		return fmt.Errorf("device: %s of %d bytes, want %d", id, len(key), dlms.KeySize)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dir != "" {
		next := maps.Clone(k.changed)
		next[id] = key
		b, err := json.Marshal(next)
		if err != nil {
			return err
		}
		err = journal.WriteFile(k.dir, keysFile, b)
		clear(b)
		if err != nil {
			return fmt.Errorf("device: keeping %s: %w", id, err)
		}
	}
	k.changed[id] = append([]byte(nil), key...)
	return k.MemKeys.SetKey(ctx, id, key)
}
