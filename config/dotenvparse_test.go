package config

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"
)

// dotenvSeeds covers every form parseDotenv reads or refuses.
var dotenvSeeds = []string{
	"",
	"KEY=value\n",
	"KEY=value",
	"export KEY=value\n",
	"export  KEY = value \n",
	"export\tKEY=v\n",
	"export\n",
	"export ",
	"export",
	"exportKEY=v\n",
	"KEY: value\n",
	"KEY:value\nB : 2\n",
	"# comment\nKEY=v\n",
	"  # indented comment\nKEY=v # inline\n",
	"KEY=v#not a comment\n",
	"KEY=a # one # two\n",
	"KEY=#x\n",
	"KEY= #x\n",
	"KEY='single $A \\n \\' literal'\n",
	"KEY='it''s'\n",
	"KEY=\"double \\n \\r \\\" \\\\ \\$A \\x\"\n",
	"KEY=\"multi\nline\n value\"\n",
	"KEY=\"a\\\"\"\n",
	"KEY=\"\\\\n\"\n",
	"KEY=\"\\\\\\n\"\n",
	"KEY=\"\\\n\"\n",
	"KEY=\"x\" # comment\n",
	"KEY=\"x\"B=2\n",
	"KEY=\"x\" junk\n",
	"KEY=\"unterminated\n",
	"KEY='unterminated\n",
	"KEY=  spaced value  \n",
	"KEY=\t\tv\t\n",
	"A=1\nB=${A}\nC=$A\nD=\\$A\nE=$(A)\nF=${A}x${B}\nG=$\nH=${}\nI=${a}\nJ=$A_B\n",
	"A=1\nB=\"${A} $A \\${A}\"\nC='${A}'\n",
	"B=${A}\nA=1\n",
	"A=1\nA=${A}${A}\n",
	"=\n",
	"=value\n",
	"A B=1\n",
	"A B\n",
	"A\n",
	"KEY\n",
	"KEY",
	"A.B=1\nA_B=2\n9=3\n",
	"K-EY=1\n",
	"KEY=`x`\n",
	"a=lower\n",
	"KEY=value\r\nB=2\r\n",
	"KEY=value\rB=2\r",
	"KEY=\"a\r\nb\"\n",
	"KEY=\n",
	"KEY=",
	"KEY=\nB=2",
	"\xff\xfe",
	"KEY=\xff\xfe\n",
	"KEY=\"\xff\\\xff\"\n",
	"K\xc3\xa9Y=1\n",
	"K\xc2\xa0=1\n",
	"KEY\xc2\xa0=1\n",
	"KEY=v\xc2\xa0#c\n",
	"\u3000KEY=v\n",
	"\u2028KEY=v\n",
	"\xc2\x85KEY=v\n",
	"KEY=\"\\$\"\n",
	"KEY=\"\\\\$A\"\nA=1\n",
	"A=x\nKEY=\"\\\\$A\"\n",
	"A=1\nKEY=\"$(A\"\n",
}

// FuzzDotEnv_godotenv feeds arbitrary bytes to parseDotenv and to godotenv
// v1.5.1 and fails when they disagree, on the map or on whether they refuse.
func FuzzDotEnv_godotenv(f *testing.F) {
	for _, seed := range dotenvSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		// godotenv expands every reference in full (exponential growth on
		// nested references) where parseDotenv stops at maxDotenvExpanded;
		// with few references neither can grow far, so both must agree.
		if bytes.Count(content, []byte("$")) > 8 {
			t.Skip("more than 8 ${VAR} references")
		}
		want, werr := godotenv.UnmarshalBytes(content)
		got, gerr := parseDotenv(content)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q: godotenv error %v, parseDotenv error %v", content, werr, gerr)
		}
		if werr != nil {
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q: map differs (-godotenv +parseDotenv):\n%s", content, diff)
		}
	})
}

func TestDotenvSeedsAgree(t *testing.T) {
	for _, seed := range dotenvSeeds {
		want, werr := godotenv.UnmarshalBytes([]byte(seed))
		got, gerr := parseDotenv([]byte(seed))
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%q: godotenv error %v, parseDotenv error %v", seed, werr, gerr)
			continue
		}
		if werr == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q: (-godotenv +parseDotenv):\n%s", seed, diff)
			}
		}
	}
}

func TestDotenvCharClasses(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isUnicodeSpace(r), unicode.IsSpace(r); got != want {
			t.Fatalf("isUnicodeSpace(%U) = %v, unicode.IsSpace says %v", r, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		r := rune(c)
		if got, want := isLatin1Alnum(byte(c)), unicode.IsLetter(r) || unicode.IsNumber(r); got != want {
			t.Fatalf("isLatin1Alnum(%#x) = %v, unicode says %v", c, got, want)
		}
	}
}

func TestDotenvExpansionBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("V0=xxxxxxxxxxxxxxxx\n")
	for i := 1; i <= 24; i++ {
		p := "${V" + strconv.Itoa(i-1) + "}"
		b.WriteString("V" + strconv.Itoa(i) + "=" + p + p + "\n")
	}
	if _, err := parseDotenv([]byte(b.String())); err == nil {
		t.Fatal("a file whose references double 24 times parses")
	}
	if _, err := parseDotenv([]byte("A=x\nB=${A}${A}\nC=${B}${B}\n")); err != nil {
		t.Fatalf("a small expansion is refused: %v", err)
	}
}
