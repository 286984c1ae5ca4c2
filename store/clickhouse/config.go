package clickhouse

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// Config configures a DB.
type Config struct {
	// URL names the server and the database:
	//
	//	clickhouse://[USER[:PASSWORD]@]HOST:PORT[,HOST:PORT…]/DATABASE[?cluster=NAME&SETTING=VALUE…]
	//
	// over the native protocol (port 9000 by default on a server; HTTP
	// is not supported). cluster names a cluster of the server's
	// remote_servers configuration: the store then keeps its tables on
	// every host of the cluster and reads and writes them through
	// Distributed tables sharded by a hash of the meter id. Other query
	// parameters are clickhouse-go options or server settings.
	URL string
	// Logger receives the store's messages; nil discards.
	Logger *slog.Logger
	// Codecs forces column codecs on (true) or off (false) when the tables
	// are created; nil decides by the server's version (CODEC clauses need
	// ClickHouse 20.1 or later here, see the package documentation).
	Codecs *bool
}

// target is a parsed Config.URL.
type target struct {
	opts     *ch.Options
	database string
	cluster  string
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseURL splits a Config.URL into clickhouse-go options, the database
// and the cluster. The password never appears in its errors.
func parseURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("clickhouse URL: %w", redact(err))
	}
	if u.Scheme != "clickhouse" {
		return target{}, fmt.Errorf("clickhouse URL %s: scheme %q: want clickhouse:// (the native protocol)", u.Redacted(), u.Scheme)
	}
	q := u.Query()
	t := target{database: strings.TrimPrefix(u.Path, "/"), cluster: q.Get("cluster")}
	q.Del("cluster")
	if t.database == "" {
		t.database = "default"
	}
	if !identifier.MatchString(t.database) {
		return target{}, fmt.Errorf("clickhouse URL %s: database %q is not a plain identifier", u.Redacted(), t.database)
	}
	if t.cluster != "" && !identifier.MatchString(t.cluster) {
		return target{}, fmt.Errorf("clickhouse URL %s: cluster %q is not a plain identifier", u.Redacted(), t.cluster)
	}
	u.RawQuery = q.Encode()
	t.opts, err = ch.ParseDSN(u.String())
	if err != nil {
		return target{}, fmt.Errorf("clickhouse URL %s: %w", u.Redacted(), err)
	}
	// Connections start in the user's default database, since the store's
	// may not exist yet; every statement names its tables in full.
	t.opts.Auth.Database = ""
	return t, nil
}

// redact drops the URL from a url.Parse error, since it may hold a
// password.
func redact(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
