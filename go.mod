module github.com/twelvekit/twelvekit

go 1.26.0

require (
	github.com/caarlos0/env/v11 v11.4.2
	github.com/joho/godotenv v1.5.1
)
