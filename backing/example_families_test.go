package backing_test

import (
	"fmt"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

// ExampleURL_Kafka reads Heroku's KAFKA_URL, a list of kafka+ssl URLs, into
// what franz-go takes: kgo.SeedBrokers(o.Brokers...) and
// kgo.DialTLSConfig(o.TLS), with the certificate variables added.
func ExampleURL_Kafka() {
	type Config struct {
		Kafka backing.KafkaURL `env:"KAFKA_URL,required"`
		Certs backing.KafkaCerts
	}
	cfg, err := config.Load[Config](config.WithEnvironment(map[string]string{
		"KAFKA_URL": "kafka+ssl://ec2-1.compute-1.amazonaws.com:9096,kafka+ssl://ec2-2.compute-1.amazonaws.com:9096",
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := cfg.Kafka.Kafka(cfg.Certs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Brokers, o.TLS != nil)
	// Output:
	// [ec2-1.compute-1.amazonaws.com:9096 ec2-2.compute-1.amazonaws.com:9096] true
}

// ExampleURL_Mongo prints a MongoDB URL, its password and auth options
// masked, and hands the driver the full connection string.
func ExampleURL_Mongo() {
	var f backing.MongoURL
	err := f.UnmarshalText([]byte("mongodb+srv://app:s3cret@cluster0.abcde.mongodb.net/shop?authSource=admin&retryWrites=true"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f)
	uri, _ := f.Mongo() // options.Client().ApplyURI(uri)
	fmt.Println(len(uri) > 0, f.TLS())
	// Output:
	// mongodb+srv://app:[REDACTED]@cluster0.abcde.mongodb.net/shop?authSource=admin&retryWrites=true
	// true verify-full
}

// ExampleMySQLURL reads go-sql-driver's own DSN, which a field declaring
// MySQL accepts as it accepts a mysql:// URL.
func ExampleMySQLURL() {
	var f backing.MySQLURL
	if err := f.UnmarshalText([]byte("app:s3cret@tcp(db.internal:3306)/shop?parseTime=true")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f)
	// Output:
	// mysql://app:[REDACTED]@db.internal:3306/shop?parseTime=true
}
