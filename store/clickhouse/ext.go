package clickhouse

import (
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/ext"
	chcolumn "github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// extColumn is one column of an external table: a slice of its values.
type extColumn struct {
	name, typ string
	values    any
}

// extTable builds an external table, data sent along with a query (and on
// to the shards of a Distributed table) that the query reads as the table
// name: how a query gets thousands of keys without putting them in its
// text.
func extTable(name string, cols ...extColumn) (*ext.Table, error) {
	opts := make([]func(*ext.Table) error, len(cols))
	for i, c := range cols {
		opts[i] = ext.Column(c.name, chcolumn.Type(c.typ))
	}
	t, err := ext.NewTable(name, opts...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: external table %s: %w", name, err)
	}
	for i, c := range cols {
		if _, err := t.Block().Columns[i].Append(c.values); err != nil {
			return nil, fmt.Errorf("clickhouse: external table %s column %s: %w", name, c.name, err)
		}
	}
	return t, nil
}
