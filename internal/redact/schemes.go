package redact

import "strings"

// userMode says what the userinfo of a scheme's URLs holds.
type userMode uint8

const (
	// userToken: the user may be a token (https://TOKEN@host,
	// https://TOKEN:x-oauth-basic@host, nats://TOKEN@host, an AWS access
	// key ID or an API token as the SMTP or S3 user): the whole userinfo is
	// masked. Unknown schemes get it.
	userToken userMode = iota
	// userRole: the user is a role name (postgres://app:pw@db): it shows,
	// the password is masked.
	userRole
)

// pathMode says which part of a scheme's path names something that is not
// a credential.
type pathMode uint8

const (
	// pathNone: every segment is masked (https webhooks, bot URLs, S3
	// prefixes, unknown schemes).
	pathNone pathMode = iota
	// pathDB: the first segment is the database, vhost or database number
	// and shows; the others are masked.
	pathDB
	// pathFile: the path is a file (sqlite, a unix socket) and shows, but
	// for a segment holding ':' or '@', the shape of a credential.
	pathFile
)

// family is what the rule knows of one kind of URL.
type family struct {
	user userMode
	path pathMode
	// keys are the query keys whose values show, compared without case.
	keys []string
	// common: the commonKeys show too (every family the rule knows but
	// s3, whose queries carry signatures).
	common bool
}

// commonKeys are safe in every family the rule knows (not in unknown
// schemes, nor in http, https and s3 URLs, whose queries carry tokens).
var commonKeys = []string{
	"sslmode", "ssl", "tls", "ssl-mode", "connect_timeout", "timeout", "dial_timeout",
	"read_timeout", "write_timeout", "application_name", "user", "username", "db", "database",
}

var (
	pgKeys = []string{
		"host", "hostaddr", "port", "dbname", "target_session_attrs", "load_balance_hosts",
		"search_path", "options", "timezone", "sslrootcert", "sslcert", "sslnegotiation", "sslsni",
		"sslcertmode", "sslcompression", "sslcrl", "sslcrldir", "channel_binding", "gssencmode",
		"krbsrvname", "fallback_application_name", "keepalives", "keepalives_idle",
		"keepalives_interval", "keepalives_count", "tcp_user_timeout", "client_encoding",
		"min_protocol_version", "max_protocol_version", "ssl_min_protocol_version",
		"ssl_max_protocol_version", "replication", "pool_max_conns", "pool_min_conns",
		"pool_min_idle_conns", "pool_max_conn_lifetime", "pool_max_conn_idle_time",
		"pool_max_conn_lifetime_jitter", "pool_health_check_period", "statement_cache_capacity",
		"description_cache_capacity", "default_query_exec_mode", "max_conns", "max_open_conns",
		"max_idle_conns", "conn_max_lifetime", "conn_max_idle_time",
	}
	mysqlKeys = []string{
		"parsetime", "loc", "charset", "collation", "readtimeout", "writetimeout",
		"interpolateparams", "multistatements", "allownativepasswords", "allowoldpasswords",
		"allowcleartextpasswords", "allowallfiles", "clientfoundrows", "columnswithalias",
		"maxallowedpacket", "rejectreadonly", "checkconnliveness", "time_zone", "autocommit",
		"max_open_conns", "max_idle_conns", "conn_max_lifetime", "conn_max_idle_time",
		"net", "addr", "dbname",
	}
	redisKeys = []string{
		"protocol", "client_name", "max_retries", "min_retry_backoff", "max_retry_backoff",
		"pool_fifo", "pool_size", "pool_timeout", "min_idle_conns", "max_idle_conns",
		"max_active_conns", "max_concurrent_dials", "conn_max_idle_time", "conn_max_lifetime",
		"addr", "skip_verify", "read_only", "route_by_latency", "route_randomly", "max_redirects",
		"master_name", "sentinel_master_id",
	}
	amqpKeys = []string{
		"heartbeat", "connection_timeout", "channel_max", "frame_max", "auth_mechanism",
		"server_name_indication", "certfile", "cacertfile", "verify", "fail_if_no_peer_cert",
		"vhost", "locale",
	}
	mongoKeys = []string{
		"authsource", "authmechanism", "replicaset", "retrywrites", "retryreads", "w",
		"journal", "readpreference", "readconcernlevel", "connecttimeoutms",
		"servertimeoutms", "serverselectiontimeoutms", "sockettimeoutms", "maxpoolsize",
		"minpoolsize", "maxidletimems", "appname", "directconnection", "compressors",
		"tlsinsecure", "tlscafile", "loadbalanced", "srvmaxhosts", "heartbeatfrequencyms",
		"timeoutms", "tls", "ssl",
	}
	natsKeys   = []string{"name", "verbose", "pedantic", "max_reconnects", "reconnect_wait", "no_randomize"}
	mqttKeys   = []string{"client_id", "clientid", "keepalive", "clean", "qos"}
	kafkaKeys  = []string{"sasl_mechanism", "sasl", "client_id", "group_id", "topic"}
	memKeys    = []string{"max_idle_conns"}
	sqliteKeys = []string{
		"mode", "cache", "immutable", "vfs", "_pragma", "_busy_timeout", "_journal_mode",
		"_journal", "_foreign_keys", "_fk", "_txlock", "_loc", "_sync", "_synchronous",
		"_time_format", "_locking_mode", "_mutex", "_cache_size", "_query_only",
	}
	sqlserverKeys = []string{
		"databasename", "encrypt", "trustservercertificate", "logintimeout", "app name",
		"applicationname", "applicationintent", "multisubnetfailover", "packet size",
		"connection timeout", "dial timeout", "keepalive", "failoverpartner", "instancename",
		"hostnameincertificate", "integratedsecurity", "authentication", "user id", "userid",
		"servername", "portnumber",
	}
	clickhouseKeys = []string{"compress", "secure", "debug", "max_execution_time", "dial_timeout", "block_buffer_size"}
	s3Keys         = []string{"region", "endpoint", "force_path_style", "use_path_style", "s3forcepathstyle", "disablessl"}
)

// allFamilies are every family the rule knows, for knownKey.
var allFamilies = [...]family{
	{userRole, pathDB, pgKeys, true}, {userRole, pathDB, mysqlKeys, true},
	{userRole, pathNone, sqlserverKeys, true}, {userRole, pathDB, redisKeys, true},
	{userRole, pathDB, amqpKeys, true}, {userRole, pathDB, mongoKeys, true},
	{userRole, pathDB, clickhouseKeys, true}, {userRole, pathNone, kafkaKeys, true},
	{userRole, pathNone, memKeys, true}, {userToken, pathNone, natsKeys, true},
	{userRole, pathNone, mqttKeys, true}, {userToken, pathFile, sqliteKeys, true},
	{userToken, pathNone, s3Keys, false},
}

// lookupFamily returns what the rule knows of a scheme (any case). A scheme
// it does not know gets the zero family: userinfo, path and every query
// value masked.
func lookupFamily(scheme string) family {
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql", "pgsql", "pg", "pgx", "cockroach", "cockroachdb", "redshift":
		return allFamilies[0]
	case "mysql", "mariadb", "maria", "mysql2", "tidb":
		return allFamilies[1]
	case "sqlserver", "mssql", "azuresql":
		return allFamilies[2]
	case "redis", "rediss", "valkey", "valkeys", "redis+sentinel", "rediss+sentinel":
		return allFamilies[3]
	case "unix", "redis+unix", "redis-socket":
		f := allFamilies[3]
		f.path = pathFile // the socket file
		return f
	case "amqp", "amqps":
		return allFamilies[4]
	case "mongodb", "mongodb+srv":
		return allFamilies[5]
	case "clickhouse":
		return allFamilies[6]
	case "kafka", "kafka+ssl", "kafka+tls", "kafkas":
		return allFamilies[7]
	case "memcached", "memcache":
		return allFamilies[8]
	case "nats", "tls":
		return allFamilies[9]
	case "mqtt", "mqtts", "tcp", "ssl", "tcps", "mqtt+ssl", "ws", "wss":
		return allFamilies[10]
	case "sqlite", "sqlite3", "file", "sq":
		return allFamilies[11]
	case "smtp", "smtps":
		return family{common: true}
	case "s3":
		return allFamilies[12]
	}
	return family{} // http, https, ftp and unknown schemes: nothing shows but the host
}

// safeKey reports whether the value of key shows in a URL of family f.
func (f family) safeKey(key string) bool {
	if f.common && has(commonKeys, key) {
		return true
	}
	return has(f.keys, key)
}

func has(list []string, key string) bool {
	for _, k := range list {
		// the lists are ASCII: a key of another length is not in them (and
		// a key that folds to one only through Unicode is not safe)
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// RoleUser reports whether the user name of a URL of scheme (any case) is a
// role name, which shows (postgres, mysql, redis, amqp, mqtt...); for every
// other scheme the user may be a token and is masked.
func RoleUser(scheme string) bool { return lookupFamily(scheme).user == userRole }

// ShowParam reports whether the rule shows value, percent-decoded, as the
// value of the query option key in a URL of scheme: key is in the family's
// safe list and value is plain (no '=', '@', '?', '&', quotes...).
func ShowParam(scheme, key, value string) bool {
	return lookupFamily(scheme).safeKey(key) && plainValue(value)
}

// SafeParam reports whether key (any case) is in the safe list of at least
// one family: a query key or keyword whose value shows in URLs of that
// family. backing keeps the values of every other key out of reach of
// reflection.
func SafeParam(key string) bool {
	if has(commonKeys, key) {
		return true
	}
	for _, f := range allFamilies {
		if has(f.keys, key) {
			return true
		}
	}
	return false
}

// ShowKey reports whether the rule shows the name of the query key or
// keyword key (percent-decoded). An unknown name may be a pasted token:
// it is masked with its value, and backing keeps it out of reach of
// reflection.
func ShowKey(key string) bool { return knownKey(key) }

// knownKey reports whether key is a query key or keyword the rule knows,
// safe or not; its name shows, while an unknown key (which may be a pasted
// token) is masked with its value.
func knownKey(key string) bool {
	return has(namedKeys, key) || SafeParam(key)
}

// namedKeys is the safe list of query key names: keys whose names show
// while their values never do (the values of keys outside the families'
// safe lists are masked whatever their names), so that a printed URL stays
// readable: ?password=[REDACTED] rather than ?[REDACTED]=[REDACTED]. A key
// in no list, which may be a pasted token, is masked with its value.
var namedKeys = []string{
	"password", "passwd", "pwd", "pass", "sslpassword", "sslkey", "passfile", "token",
	"access_token", "refresh_token", "id_token", "auth", "auth_token", "authorization",
	"bearer", "api_key", "apikey", "api-key", "key", "secret", "client_secret",
	"secret_access_key", "access_key_id", "aws_access_key_id", "aws_secret_access_key",
	"session_token", "x-amz-credential", "x-amz-signature", "x-amz-security-token",
	"x-amz-algorithm", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "sig",
	"signature", "sv", "sp", "se", "st", "spr", "sr", "ss", "srt", "session", "sid",
	"hmac", "otp", "code", "nkey", "seed", "jwt", "creds", "credentials", "_auth_pass",
	"_auth_user", "_auth", "_pwd", "keyfile", "tlscertificatekeyfile", "tlscertificatekeyfilepassword",
	"authmechanismproperties", "sasl_password", "sasl_username", "pw",
	"sslclientcertificatekeypassword", "role", "from", "to",
}
