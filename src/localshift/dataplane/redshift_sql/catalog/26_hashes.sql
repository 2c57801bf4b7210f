-- FARMFINGERPRINT64 and MURMUR3_32_HASH: the exact algorithms, in PL/pgSQL (the engine has
-- neither). Unsigned machine words are held in bigints with their bit pattern (a uint64 above
-- 2^63 is a negative bigint); sums and products wrap through numeric, as C's unsigned
-- arithmetic does.

-- 64-bit words ------------------------------------------------------------------
CREATE OR REPLACE FUNCTION localshift.u64_wrap(value numeric) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    word numeric := mod(value, 18446744073709551616);
BEGIN
    IF word < 0 THEN
        word := word + 18446744073709551616;
    END IF;
    IF word >= 9223372036854775808 THEN
        word := word - 18446744073709551616;
    END IF;
    RETURN word::bigint;
END $$;

CREATE OR REPLACE FUNCTION localshift.u64_add(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.u64_wrap($1::numeric + $2) $$;

CREATE OR REPLACE FUNCTION localshift.u64_mul(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.u64_wrap($1::numeric * $2) $$;

-- Logical (unsigned) right shift: bigint's >> copies the sign bit.
CREATE OR REPLACE FUNCTION localshift.u64_shr(a bigint, bits integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $2 = 0 THEN $1 ELSE ($1 >> $2) & ~((-1)::bigint << (64 - $2)) END $$;

-- Right rotation, farmhash's Rotate().
CREATE OR REPLACE FUNCTION localshift.u64_rotr(a bigint, bits integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT CASE WHEN $2 = 0 THEN $1 ELSE localshift.u64_shr($1, $2) | ($1 << (64 - $2)) END $$;

-- The little-endian word of `width` bytes at byte `pos` (0-based).
CREATE OR REPLACE FUNCTION localshift.fetch_le(data bytea, pos integer, width integer) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    word bigint := 0;
BEGIN
    FOR i IN 0..width - 1 LOOP
        word := word | (get_byte(data, pos + i)::bigint << (8 * i));
    END LOOP;
    RETURN word;
END $$;

-- FARMFINGERPRINT64 ---------------------------------------------------------------
-- Google's farmhash Fingerprint64 (farmhashna::Hash64), constants k0, k1, k2 as signed bigints.
CREATE OR REPLACE FUNCTION localshift.farm_shift_mix(v bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1 # localshift.u64_shr($1, 47) $$;

-- HashLen16(u, v, mul): Murmur-inspired mixing of two words.
CREATE OR REPLACE FUNCTION localshift.farm_hash_len16(u bigint, v bigint, mul bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    a bigint := localshift.farm_shift_mix(localshift.u64_mul(u # v, mul));
    b bigint := localshift.farm_shift_mix(localshift.u64_mul(v # a, mul));
BEGIN
    RETURN localshift.u64_mul(b, mul);
END $$;

-- WeakHashLen32WithSeeds(s + pos, a, b): a pair of words.
CREATE OR REPLACE FUNCTION localshift.farm_weak_hash32(s bytea, pos integer, a bigint, b bigint)
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    w bigint := localshift.fetch_le(s, pos, 8);
    x bigint := localshift.fetch_le(s, pos + 8, 8);
    y bigint := localshift.fetch_le(s, pos + 16, 8);
    z bigint := localshift.fetch_le(s, pos + 24, 8);
    c bigint;
BEGIN
    a := localshift.u64_add(a, w);
    b := localshift.u64_rotr(localshift.u64_add(localshift.u64_add(b, a), z), 21);
    c := a;
    a := localshift.u64_add(localshift.u64_add(a, x), y);
    b := localshift.u64_add(b, localshift.u64_rotr(a, 44));
    RETURN ARRAY[localshift.u64_add(a, z), localshift.u64_add(b, c)];
END $$;

-- The two words HashLen17to32 hashes, which HashLen33to64 starts from (its a multiplies by k2
-- where HashLen17to32's multiplies by k1): [first word, second word, a].
CREATE OR REPLACE FUNCTION localshift.farm_mix_ends(s bytea, a_mul bigint) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    k2 constant bigint := -7286425919675154353;   -- 0x9ae16a3b2f90404f
    len constant integer := length(s);
    mul constant bigint := localshift.u64_add(k2, len * 2);
    a bigint := localshift.u64_mul(localshift.fetch_le(s, 0, 8), a_mul);
    b bigint := localshift.fetch_le(s, 8, 8);
    c bigint := localshift.u64_mul(localshift.fetch_le(s, len - 8, 8), mul);
    d bigint := localshift.u64_mul(localshift.fetch_le(s, len - 16, 8), k2);
BEGIN
    RETURN ARRAY[
        localshift.u64_add(localshift.u64_add(localshift.u64_rotr(localshift.u64_add(a, b), 43),
                                              localshift.u64_rotr(c, 30)), d),
        localshift.u64_add(localshift.u64_add(a, localshift.u64_rotr(localshift.u64_add(b, k2), 18)), c),
        a];
END $$;

CREATE OR REPLACE FUNCTION localshift.farm_fingerprint64(s bytea) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    k0 constant bigint := -4348849565147123417;   -- 0xc3a5c85c97cb3127
    k1 constant bigint := -5435081209227447693;   -- 0xb492b66be98b2d1f
    k2 constant bigint := -7286425919675154353;   -- 0x9ae16a3b2f90404f
    len constant integer := length(s);
    mul bigint;
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; g bigint; h bigint;
    x bigint; y bigint; z bigint; t bigint;
    v bigint[] := ARRAY[0, 0];
    w bigint[] := ARRAY[0, 0];
    pos integer := 0;
    last64 integer;
BEGIN
    IF len <= 16 THEN
        IF len >= 8 THEN
            mul := localshift.u64_add(k2, len * 2);
            a := localshift.u64_add(localshift.fetch_le(s, 0, 8), k2);
            b := localshift.fetch_le(s, len - 8, 8);
            c := localshift.u64_add(localshift.u64_mul(localshift.u64_rotr(b, 37), mul), a);
            d := localshift.u64_mul(localshift.u64_add(localshift.u64_rotr(a, 25), b), mul);
            RETURN localshift.farm_hash_len16(c, d, mul);
        ELSIF len >= 4 THEN
            mul := localshift.u64_add(k2, len * 2);
            a := localshift.fetch_le(s, 0, 4);
            RETURN localshift.farm_hash_len16(len + (a << 3), localshift.fetch_le(s, len - 4, 4), mul);
        ELSIF len > 0 THEN
            y := get_byte(s, 0) + (get_byte(s, len >> 1) << 8);
            z := len + (get_byte(s, len - 1) << 2);
            RETURN localshift.u64_mul(
                localshift.farm_shift_mix(localshift.u64_mul(y, k2) # localshift.u64_mul(z, k0)), k2);
        END IF;
        RETURN k2;
    ELSIF len <= 32 THEN
        v := localshift.farm_mix_ends(s, k1);
        RETURN localshift.farm_hash_len16(v[1], v[2], localshift.u64_add(k2, len * 2));
    ELSIF len <= 64 THEN
        mul := localshift.u64_add(k2, len * 2);
        v := localshift.farm_mix_ends(s, k2);
        y := v[1];
        z := localshift.farm_hash_len16(v[1], v[2], mul);
        a := v[3];
        e := localshift.u64_mul(localshift.fetch_le(s, 16, 8), mul);
        f := localshift.fetch_le(s, 24, 8);
        g := localshift.u64_mul(localshift.u64_add(y, localshift.fetch_le(s, len - 32, 8)), mul);
        h := localshift.u64_mul(localshift.u64_add(z, localshift.fetch_le(s, len - 24, 8)), mul);
        RETURN localshift.farm_hash_len16(
            localshift.u64_add(localshift.u64_add(localshift.u64_rotr(localshift.u64_add(e, f), 43),
                                                  localshift.u64_rotr(g, 30)), h),
            localshift.u64_add(localshift.u64_add(e, localshift.u64_rotr(localshift.u64_add(f, a), 18)), g),
            mul);
    END IF;
    -- Longer than 64 bytes: 64-byte blocks, then the last 64 bytes, with seed 81.
    x := 81;
    y := localshift.u64_add(localshift.u64_mul(81, k1), 113);
    z := localshift.u64_mul(localshift.farm_shift_mix(localshift.u64_add(localshift.u64_mul(y, k2), 113)), k2);
    x := localshift.u64_add(localshift.u64_mul(x, k2), localshift.fetch_le(s, 0, 8));
    last64 := ((len - 1) / 64) * 64 + ((len - 1) & 63) - 63;
    LOOP
        x := localshift.u64_mul(localshift.u64_rotr(
            localshift.u64_add(localshift.u64_add(localshift.u64_add(x, y), v[1]), localshift.fetch_le(s, pos + 8, 8)),
            37), k1);
        y := localshift.u64_mul(localshift.u64_rotr(
            localshift.u64_add(localshift.u64_add(y, v[2]), localshift.fetch_le(s, pos + 48, 8)), 42), k1);
        x := x # w[2];
        y := localshift.u64_add(y, localshift.u64_add(v[1], localshift.fetch_le(s, pos + 40, 8)));
        z := localshift.u64_mul(localshift.u64_rotr(localshift.u64_add(z, w[1]), 33), k1);
        v := localshift.farm_weak_hash32(s, pos, localshift.u64_mul(v[2], k1), localshift.u64_add(x, w[1]));
        w := localshift.farm_weak_hash32(s, pos + 32, localshift.u64_add(z, w[2]),
                                         localshift.u64_add(y, localshift.fetch_le(s, pos + 16, 8)));
        t := z; z := x; x := t;
        pos := pos + 64;
        EXIT WHEN pos = ((len - 1) / 64) * 64;
    END LOOP;
    mul := localshift.u64_add(k1, (z & 255) << 1);
    pos := last64;
    w[1] := localshift.u64_add(w[1], (len - 1) & 63);
    v[1] := localshift.u64_add(v[1], w[1]);
    w[1] := localshift.u64_add(w[1], v[1]);
    x := localshift.u64_mul(localshift.u64_rotr(
        localshift.u64_add(localshift.u64_add(localshift.u64_add(x, y), v[1]), localshift.fetch_le(s, pos + 8, 8)),
        37), mul);
    y := localshift.u64_mul(localshift.u64_rotr(
        localshift.u64_add(localshift.u64_add(y, v[2]), localshift.fetch_le(s, pos + 48, 8)), 42), mul);
    x := x # localshift.u64_mul(w[2], 9);
    y := localshift.u64_add(y, localshift.u64_add(localshift.u64_mul(v[1], 9), localshift.fetch_le(s, pos + 40, 8)));
    z := localshift.u64_mul(localshift.u64_rotr(localshift.u64_add(z, w[1]), 33), mul);
    v := localshift.farm_weak_hash32(s, pos, localshift.u64_mul(v[2], mul), localshift.u64_add(x, w[1]));
    w := localshift.farm_weak_hash32(s, pos + 32, localshift.u64_add(z, w[2]),
                                     localshift.u64_add(y, localshift.fetch_le(s, pos + 16, 8)));
    t := z; z := x; x := t;
    RETURN localshift.farm_hash_len16(
        localshift.u64_add(localshift.u64_add(localshift.farm_hash_len16(v[1], w[1], mul),
                                              localshift.u64_mul(localshift.farm_shift_mix(y), k0)), z),
        localshift.u64_add(localshift.farm_hash_len16(v[2], w[2], mul), x),
        mul);
END $$;

-- FARMFINGERPRINT64(expression): VARCHAR (its UTF-8 bytes) or VARBYTE; BIGINT.
CREATE OR REPLACE FUNCTION pg_catalog.farmfingerprint64(text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.farm_fingerprint64(convert_to($1, 'UTF8')) $$;
CREATE OR REPLACE FUNCTION pg_catalog.farmfingerprint64(bytea) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.farm_fingerprint64($1) $$;

-- MURMUR3_32_HASH -----------------------------------------------------------------
-- 32-bit words in bigints (0 .. 2^32-1). The product of two of them would overflow a bigint:
-- it is taken in two 16-bit halves of b.
CREATE OR REPLACE FUNCTION localshift.u32_mul(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT ($1 * ($2 & 65535) + ((($1 * ($2 >> 16)) & 65535) << 16)) & 4294967295 $$;

CREATE OR REPLACE FUNCTION localshift.u32_rotl(a bigint, bits integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT (($1 << $2) | ($1 >> (32 - $2))) & 4294967295 $$;

-- MurmurHash3_x86_32 of the bytes with a seed, as a signed INTEGER.
CREATE OR REPLACE FUNCTION localshift.murmur3_32(data bytea, seed integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    c1 constant bigint := 3432918353;   -- 0xcc9e2d51
    c2 constant bigint := 461845907;    -- 0x1b873593
    len constant integer := length(data);
    tail constant integer := len & ~3;
    h bigint := seed::bigint & 4294967295;
    k bigint;
BEGIN
    FOR pos IN 0..tail - 1 BY 4 LOOP
        k := localshift.u32_mul(localshift.u32_rotl(localshift.u32_mul(localshift.fetch_le(data, pos, 4), c1), 15), c2);
        h := localshift.u32_rotl(h # k, 13);
        h := (h * 5 + 3864292196) & 4294967295;   -- 0xe6546b64
    END LOOP;
    IF len > tail THEN
        k := localshift.fetch_le(data, tail, len - tail);
        h := h # localshift.u32_mul(localshift.u32_rotl(localshift.u32_mul(k, c1), 15), c2);
    END IF;
    h := h # len;
    h := localshift.u32_mul(h # (h >> 16), 2246822507);   -- 0x85ebca6b
    h := localshift.u32_mul(h # (h >> 13), 3266489909);   -- 0xc2b2ae35
    h := h # (h >> 16);
    RETURN (CASE WHEN h >= 2147483648 THEN h - 4294967296 ELSE h END)::integer;
END $$;

-- MURMUR3_32_HASH(value [, seed]): the value's binary form of Apache Iceberg's hash spec, which
-- AWS's documentation names: integers of every width as an 8-byte little-endian long, strings as
-- UTF-8, VARBYTE as its bytes, dates as days and times/timestamps as microseconds (since
-- 1970-01-01 / midnight) in a long, DECIMAL as its unscaled value's minimal big-endian
-- two's-complement bytes, floats as the double's bits in a long, booleans as 1 / 0.
CREATE OR REPLACE FUNCTION localshift.murmur3_long(value bigint, seed integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.murmur3_32(localshift.little_endian($1, 8), $2) $$;

CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(bigint, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_long($1, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(integer, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_long($1, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(smallint, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_long($1, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(boolean, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_long($1::integer, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(text, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_32(convert_to($1, 'UTF8'), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(bytea, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_32($1, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(date, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_long($1 - date '1970-01-01', $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(timestamp, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.murmur3_long((extract(epoch FROM $1) * 1000000)::bigint, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(timestamptz, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.murmur3_long((extract(epoch FROM $1) * 1000000)::bigint, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(time, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.murmur3_long((extract(epoch FROM $1) * 1000000)::bigint, $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(double precision, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT localshift.murmur3_32(
    (SELECT string_agg(substr(float8send($1), 9 - i, 1), ''::bytea ORDER BY i) FROM generate_series(1, 8) AS i),
    $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(numeric, integer DEFAULT 0) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    unscaled numeric := trunc($1 * power(10::numeric, scale($1)));
    minimal bytea := ''::bytea;
    byte integer;
BEGIN
    -- Big-endian two's complement, as few bytes as keep the sign.
    LOOP
        byte := mod(mod(unscaled, 256) + 256, 256)::integer;
        minimal := set_byte(decode('00', 'hex'), 0, byte) || minimal;
        unscaled := floor((unscaled - byte) / 256);
        EXIT WHEN (unscaled = 0 AND byte < 128) OR (unscaled = -1 AND byte >= 128);
    END LOOP;
    RETURN localshift.murmur3_32(minimal, $2);
END $$;

-- SHA(string): SHA1 under its other name.
CREATE OR REPLACE FUNCTION pg_catalog.sha(text) RETURNS varchar(40)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.sha1(convert_to($1, 'UTF8')) $$;

-- CHAR values are hashed with their trailing blanks (AWS: "hashing CHAR and VARCHAR inputs does not
-- ignore trailing spaces").  PostgreSQL drops them when a CHAR becomes text, so CHAR has overloads
-- of its own that hash the stored value's bytes (bpcharsend); a literal or a VARCHAR is text.
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(character, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.fnv1a(bpcharsend($1), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.murmur3_32_hash(character, integer DEFAULT 0) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.murmur3_32(bpcharsend($1), $2) $$;
CREATE OR REPLACE FUNCTION pg_catalog.farmfingerprint64(character) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT localshift.farm_fingerprint64(bpcharsend($1)) $$;

-- FNV_HASH of a DECIMAL: Redshift hashes its binary form, which AWS does not document; rather than
-- a silently different hash (PostgreSQL would convert the value to DOUBLE PRECISION), refused.
CREATE OR REPLACE FUNCTION pg_catalog.fnv_hash(numeric, bigint DEFAULT -3750763034362895579) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RAISE EXCEPTION 'FNV_HASH of a DECIMAL value is not supported by localshift' USING ERRCODE = 'feature_not_supported',
        HINT = 'Cast the value to BIGINT, DOUBLE PRECISION or VARCHAR.';
END $$;
