"""Spark SQL on glueless (DataFusion with Spark's rules) against PySpark's `spark.sql`, on the same
tables: the same column names and the same rows."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from glueless import SqlSession

CUSTOMERS = [
    ("Ann", "ann@x.com", "555-1", "S1", 1_655_564_376_361, None),
    ("Bob", "bob@x.com", None, "S2", 0, 1_655_564_376_000),
    ("Cy", "cy@x.com", "555-3", "S3", None, None),
    ("Ann", "ann@x.com", "555-1", "S1", 1_655_564_376_361, None),
    ("Dee", "dee@x.com", "12", None, 1_600_000_000_000, 5),
]
CUSTOMER_SCHEMA = [
    ("customerName", pa.string(), "string"),
    ("email", pa.string(), "string"),
    ("phone", pa.string(), "string"),
    ("serialNumber", pa.string(), "string"),
    ("shareWithResearchAsOfDate", pa.int64(), "bigint"),
    ("shareWithFriendsAsOfDate", pa.int64(), "bigint"),
]
READINGS = [
    ("ann@x.com", 1_000, 1.5, -0.25),
    ("ann@x.com", 2_000, 2.0, None),
    ("bob@x.com", 1_000, -3.0, 4.0),
    ("zed@x.com", 3_000, 0.0, 0.5),
    ("ann@x.com", 2_000, 2.0, None),
]
READING_SCHEMA = [("user", pa.string(), "string"), ("timestamp", pa.int64(), "bigint"), ("x", pa.float64(), "double"), ("y", pa.float64(), "double")]
STEPS = [(1_000, "S1", 10), (2_000, "S1", 12), (1_000, "S3", 7), (4_000, "S9", None)]
STEP_SCHEMA = [("sensorReadingTime", pa.int64(), "bigint"), ("serialNumber", pa.string(), "string"), ("distanceFromObject", pa.int64(), "bigint")]

TABLES = {
    "customer_landing": (CUSTOMERS, CUSTOMER_SCHEMA),
    "accelerometer_landing": (READINGS, READING_SCHEMA),
    "step_trainer_landing": (STEPS, STEP_SCHEMA),
}

QUERIES = [
    # Identifiers: case-insensitive, case-preserving; backticks; `==`; a trailing `;` and comments.
    "select * from customer_landing where sharewithresearchasofdate != 0;",
    "SELECT CUSTOMERNAME, `EMAIL`, Email AS Mail FROM Customer_Landing WHERE ShareWithResearchAsOfDate == 1655564376361",
    "-- trusted\nselect c.* /* all of them */ from customer_landing c where c.shareWithResearchAsOfDate is not null",
    "select distinct customerName, email from customer_landing",
    "select * from customer_landing where serialnumber is null or phone is null",
    'select email from customer_landing where customerName = "Ann"',
    # Joins: inner, left, comma, three tables, IN (subquery), CTE.
    "select a.*, c.customerName from accelerometer_landing a join customer_landing c on a.user = c.email",
    "select a.user, c.email from accelerometer_landing a left join customer_landing c on a.user = c.email",
    "select a.user, s.serialnumber from accelerometer_landing a, step_trainer_landing s where a.timestamp = s.sensorreadingtime",
    "select distinct s.*, a.x from step_trainer_landing s join customer_landing c on s.serialNumber = c.serialnumber "
    "join accelerometer_landing a on a.user = c.email and a.`timestamp` = s.sensorReadingTime",
    "select * from accelerometer_landing where user in (select email from customer_landing where sharewithresearchasofdate > 0)",
    "with consenting as (select email as Email from customer_landing where shareWithResearchAsOfDate <> 0) "
    "select distinct a.user from accelerometer_landing a join consenting on a.user = consenting.email",
    "select * from step_trainer_landing s left semi join customer_landing c on s.serialnumber = c.serialnumber",
    "select * from step_trainer_landing s left anti join customer_landing c on s.serialnumber = c.serialnumber",
    # Casts (non-ANSI: a bad value is null), division, functions, aggregates.
    "select cast(phone as int) as p, cast(sharewithresearchasofdate as string) as s from customer_landing",
    "select timestamp / 1000 as seconds, timestamp / 0 as none, x * 2 + 1 as scaled from accelerometer_landing",
    "select upper(email), lower(customerName), length(phone), concat(customerName, '-', serialNumber) as k, "
    "coalesce(phone, 'none') as phone from customer_landing",
    "select user, count(*), count(distinct timestamp) as n, sum(x), avg(x), min(y), max(y) from accelerometer_landing group by user",
    "select round(x, 1) as r, abs(x) as a, case when x > 0 then 'pos' when x < 0 then 'neg' else 'zero' end as sign "
    "from accelerometer_landing",
    "select customerName from customer_landing where email like 'a%' or customerName between 'C' and 'D'",
    "select user from accelerometer_landing union all select email from customer_landing",
    "select serialNumber, count(1) as readings from step_trainer_landing group by serialNumber having count(1) > 1",
    "select email, sharewithresearchasofdate from customer_landing order by sharewithresearchasofdate desc nulls last limit 3",
    # Spark's startswith / endswith (glueless's string function family), named as Spark names them.
    "select startswith(email, 'ann'), endswith(email, '.com') as dotcom, startswith(phone, '') from customer_landing",
    "select substring(email, 1, 3) as head, trim('  x  ') as t, nvl(phone, 'n/a') as p from customer_landing",
    # Spark's own type names in casts, and the names it gives them.
    "select cast(timestamp / 1000 as long), cast(x as short) as s, cast(y * 10 as byte) as b from accelerometer_landing",
    # Two output columns of one name: Spark allows them (a real project's customer_curated query).
    "select distinct(c.email), c.* from customer_landing c inner join accelerometer_landing a on c.email = a.user",
    "select email, Email, upper(email) as email from customer_landing",
    # Spark's statistical aggregates (NULL pairs skipped, NULL for a division by zero), hash.
    "select user, stddev(x), var_pop(y), var_samp(x), corr(x, y), covar_samp(x, y), covar_pop(y, x), "
    "regr_slope(y, x), regr_intercept(y, x), regr_r2(y, x), regr_sxx(y, x), regr_avgy(y, x), skewness(x), "
    "kurtosis(x), hash(user, max(x), min(timestamp)) as h from accelerometer_landing group by user",
    # Higher-order functions: lambdas over arrays and maps, nested, with the row's columns.
    "select k, transform(v, x -> x * k) a, transform(v, (x, i) -> x + i) b, filter(v, x -> x > 1) f, "
    "exists(v, x -> x > 1) e, forall(v, x -> x > 1) fa, aggregate(v, 0, (acc, x) -> acc + coalesce(x, 0), acc -> acc * 10) s, "
    "zip_with(v, array(10, 20), (x, y) -> x + y) z, array_sort(v, (l, r) -> case when l is null or r is null then 0 else r - l end) d, "
    "transform(array(v, v), w -> transform(w, x -> x + k)) n from values (1, array(1, null, 3)), (2, array(2)), (3, null) as t(k, v)",
    "select map_keys(map_filter(m, (a, b) -> a > 1)) f, map_values(transform_values(m, (a, b) -> concat(b, a))) tv, "
    "map_keys(transform_keys(m, (a, b) -> a * 10)) tk, map_values(map_zip_with(m, map(2, 'x', 3, 'y'), (a, b, c) -> concat(b, c))) z "
    "from values (map(1, 'a', 2, 'b')) as t(m)",
    "select xpath('<a><b>b1</b><b>b2</b><c>c1</c></a>', 'a/b/text()') t, xpath('<a><b>b1</b><b>b2</b></a>', 'a/b') e, "
    "xpath('<a><b id=\"7\"/></a>', 'a/b/@id') at, xpath_int('<a><b>1</b><b>2</b></a>', 'sum(a/b)') s, "
    "xpath_string('<a><b>b</b><c>cc</c></a>', 'a/c') c, xpath_boolean('<a><b>1</b></a>', 'a/b = 2') b, "
    "xpath_double('<a></a>', 'a/b') nan, xpath_long('<a><b>2.9</b></a>', 'a/b') l, xpath_string(null, 'a') n",
    "select user, percentile(x, 0.5) p, percentile(y, array(0.25, 0.75)) ps, percentile_approx(x, 0.5) a, "
    "percentile_approx(timestamp, array(0.1, 0.9), 100) t, percentile(x, 0.3, timestamp) w "
    "from accelerometer_landing group by user",
    "select get_json_object('{\"a\": {\"b\": [1, {\"c\": \"x\"}]}, \"d\": null}', '$.a.b[1].c') c, "
    "get_json_object('{\"a\": {\"b\": [1, {\"c\": \"x y\"}]}}', '$.a') a, get_json_object('{\"a\": 1}', '$.z') z, "
    "get_json_object('[1, 2]', '$[1]') i, get_json_object('{\"a\": 1}', 'a') bad, get_json_object('nope', '$.a') nojson, "
    "mask('AbCD123-@$#') m, mask('AbCD123-@$#', 'Q', 'q', '9', '*') m5, mask('AbC', NULL, 'q') keep, "
    "format_number(12345.6789D, 2) f, format_number(2.5D, 0) even, format_number(CAST(1234567.125 AS DECIMAL(12,3)), 2) d, "
    "format_number(-1234, 1) n, format_number(5, -1) neg, try_to_binary('zz') tb, try_to_binary('abc', 'utf-8') tu",
    "select concat(array(1, 2), array(3)) a, concat(array(1), cast(null as array<int>)) an, concat('a', 1, 2.5D) s, reverse(array(1, 2, 3)) r, "
    "reverse('abc') t, flatten(array(array(1), null)) fn, flatten(array(array(1), array(2, 3))) f, "
    "date_part('S', timestamp'2015-04-08 13:08:15.5') sec, extract(second from timestamp'2015-04-08 13:08:15') e",
    "select k, posexplode(v) from values (1, array(10, 20)), (2, array()), (3, null) as t(k, v)",
    "select k, posexplode_outer(v), 1 as one from values (1, array(10, 20)), (2, array()), (3, null) as t(k, v)",
    "select stack(2, 1, 2, 3), z from values (0) as t(z)",
    "select id, rand(42) as r, randn(-7) as n, hash(id) as h from range(0, 20, 1, 1)",
    "select months_between(timestamp'1997-02-28 10:30:00', date'1996-10-30') as m, "
    "months_between(date'2020-02-29', date'2020-01-31', false) as last_days",
    "select first_value(v, true) f, last_value(v, true) l, first_value(v) fn from values (null), (1), (2), (null) as t(v)",
    "select k, v, nth_value(v, 2) over (partition by k order by o) n, "
    "first_value(v) ignore nulls over (partition by k order by o) fi from values "
    "(1, 1, null), (1, 2, 5), (1, 3, 6), (2, 1, 7) as t(k, o, v)",
    "select 'a_b' like 'a/_b' escape '/' e, 'a%b' like 'a!%%' escape '!' p, 'a/b' like 'a//b' escape '/' s, "
    "'A_B' ilike 'a#_b' escape '#' i",
    "select from_utc_timestamp(timestamp'1997-02-28 10:30:00', 'PST') f, to_utc_timestamp(timestamp'1997-02-28 10:30:00', 'JST') t, "
    "from_utc_timestamp(timestamp'1997-02-28 10:30:00', 'EST') e",
    "select array_intersect(array('b', 'a', 'c'), array('c', 'd', 'a', 'f')) i, "
    "array_intersect(array(1, null, 2, 1, 3), array(3, null, 1)) n, "
    "array_prepend(array(1, 2), 0) p, array_prepend(array(1, 2), null) pn, add_months('2015-04-08', 1) m",
    "select array_insert(array(1, 2, 3), p, 9) a, array_insert(array('a'), 3, 'x') s from values (1), (4), (6), (-1), (-3), (-5), (null) as t(p)",
    "select upper(42) u, lower(true) l, lpad(5, 3, 0) p, repeat(7, 2) r, trim(date'2020-01-02') d, initcap(12) i",
    "select c2, c3, grouping_id(), sum(c1) s from values (1, 'a', 'x'), (2, 'b', 'x'), (3, 'a', 'y') as t(c1, c2, c3) "
    "group by cube(c2, c3) order by c2, c3",
    "select c2, grouping_id() g from values (1, 'a', 'x'), (2, 'b', 'x') as t(c1, c2, c3) "
    "group by grouping sets ((c2, c3), (c2), ()) order by c2, g",
    "select assert_true(v > 0) a, assert_true(v > 0, 'bad') b from values (1), (2) as t(v)",
    "select k, json_tuple(j, 'f1', 'f2') from values (1, '{\"f1\": \"v1\", \"f2\": {\"x\": 1}}'), (2, '{\"f1\": 2.50}'), "
    "(3, 'bad'), (4, null) as t(k, j)",
    "select get_json_object('{\"a\": 2.50, \"b\": [1.0, 2.50e3, {\"x\": 1.10}], \"c\": 1E2, \"d\": 10000000000000000000000}', p) v "
    "from values ('$.a'), ('$.b'), ('$.c'), ('$.d'), ('$') as t(p)",
    "select a.b, t.a.c, t.k from (select named_struct('b', 1, 'c', 2) a, 5 k) t",
    "show tables",
    "select cast(timestamp'2016-03-11 09:00:07.5' as string) t, cast(1.0E10D as string) d, cast(cast(0.1 as float) as string) f, "
    "cast(1.5D as string) h, string(1e-5D) e, cast(date'2020-01-01' as string) dt, cast(12 as string) i, "
    "cast(true as string) b, cast(timestamp_ntz'2020-01-01 00:00:00' as string) n",
    "select schema_of_json('{\"b\": [1, 2.5], \"a\": {\"y\": null, \"x\": true}, \"c d\": \"t\"}') s, "
    "schema_of_csv('1,abc,2.5,2020-01-01,true,9999999999') c, schema_of_csv('1|a', map('sep', '|')) p",
    "select to_json(from_csv('1,2,3', 'a INT, b INT, c INT')) f, to_json(from_csv(' x,7,z', 's STRING, n INT, k INT', "
    "map('ignoreLeadingWhiteSpace', 'true'))) o, to_csv(named_struct('a', 1, 'b', 'x,y', 'c', cast(null as int), 'd', 2.5D)) t, "
    "from_json('abc', 'a INT') is null m, from_json('', 'a INT') is null e, to_json(from_json('{\"a\": \"x\"}', 'a INT')) w",
    "select to_number('454', '999') a, to_number('454.00', '000.00') b, to_number('12,454', '99,999') c, "
    "to_number('$78.12', '$99.99') d, to_number('12,454.8-', '99,999.9S') e, try_to_number('5', '00') f, "
    "to_char(454, '999') g, to_char(454.00, '000D00') h, to_char(12454, '99G999') i, to_char(78.12, '$99.99') j, "
    "to_char(-12454.8, '99G999D9S') k, to_char(12345, '99') l, to_char(5, '0009') m, to_char(5, '9999') n, to_char(1.5, '9.9MI') o",
    "select to_json(arrays_zip(xs, t.ys)) z, to_json(arrays_zip(xs, array(7))) w from values (array(1, 2), array('a')) as t(xs, ys)",
    "select try_add(date'2015-09-30', 1) a, try_subtract(date'2015-09-30', 1) b, try_add(1, date'2015-09-30') b2, "
    "try_add(date'2015-09-30', make_interval(1)) c, try_subtract(date'2015-09-30', make_interval(0, 0, 0, 1)) d, "
    "cast(try_multiply(make_interval(2), 3) as string) e, cast(try_divide(make_interval(1, 2), 2) as string) f, "
    "try_divide(make_interval(1), 0) is null g, try_add(2147483647, 1) h, cast(try_divide(make_interval(0, 0, 0, 3), 2) as string) i, "
    "cast(try_add(make_interval(1), make_interval(0, 1)) as string) j, try_add(timestamp'2020-01-01 00:00:00', make_interval(0, 0, 0, 1, 2)) k",
    "select timestampadd(WEEK, 5, timestamp'2016-03-11 09:00:07') a, timestampdiff(YEAR, timestamp'2016-03-11 09:00:07', "
    "timestamp'2024-04-02 09:00:07') b, to_timestamp_ntz('2016-12-31 10:11', 'yyyy-MM-dd HH:mm') c, "
    "cast(try_make_interval(1, 2, 3) as string) d, try_make_timestamp(2014, 12, 28, 6, 30, 45.887, 'CET') e",
    "select listagg(email) l, listagg(email, ', ') m from (select email from customer_landing where email like 'A%' order by email)",
    "select c.email, a.user as email, count(*) as n from customer_landing c join accelerometer_landing a "
    "on c.email = a.user group by c.email, a.user",
    # Datetime patterns' optional sections and zones; integers as bytes; regexp_replace from a position.
    "select to_timestamp('2019-10-06 10:11', 'yyyy-MM-dd HH:mm[:ss.SSSSSS]') a, "
    "to_timestamp('2019-10-06 10:11:12.12', 'yyyy-MM-dd HH:mm[:ss.SSSSSS]') b, "
    "to_timestamp('2019-10-06 10:11:12.123PST', 'yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]') c, "
    "to_timestamp('223456 2019-10-06 10:11:12.123456', 'SSSSSS yyyy-MM-dd HH:mm:ss.SSSSSS') d, "
    "hex(cast(-123S as binary)) e, hex(cast(123L as binary)) f, "
    "regexp_replace('healthy, wealthy, and wise', '\\\\w+thy', 'something', 2) g",
    # Literals named and read as Spark does.
    "select year(timestamp_ltz'2015-07-23 12:12:12'), timestamp'2020-12-01 14:30:08.100', date '2001-9-28', "
    "x'2379ACFe', 'hello' ' ' 'world', '\\u0057\\157\\%', cast('1.0 ' as DEC), cast(1.25 as decimal), .5, -0.0",
    # A subquery's and CTE's columns; a scalar subquery's name.
    "select * from (select 1, upper(email) from customer_landing)",
    "with t as (select 2, email || '!' from customer_landing) select * from t",
    "select email, (select max(x) from accelerometer_landing where user = c.email) from customer_landing c",
    # A union inside a union takes the common types.
    "select * from (select 1 a, 'x' b union all select 2.5, 3 union all select 3, 'z')",
    "select histogram_numeric(col, 5) h, mode(col) m from values (1), (2), (2), (10), (11), (30) as t(col)",
    # Grouping analytics mixed, nested, with columns no set groups by, and grouping__id.
    "select customerName, email, count(1) c from customer_landing "
    "group by customerName, grouping sets(rollup(customerName, email), cube(customerName, email))",
    "select customerName, email, count(1) c, grouping__id from customer_landing "
    "group by customerName, email grouping sets((customerName), ())",
    # EXCEPT ALL / INTERSECT ALL keep multiset counts; NULLs are equal.
    "select * from (select user, y from accelerometer_landing union all select user, y from accelerometer_landing) "
    "except all select user, y from accelerometer_landing where x > 0",
    "select user, y from accelerometer_landing intersect all select user, y from accelerometer_landing where user like 'a%'",
    # IN (subquery) in a select list, with Spark's NULLs.
    "select c.email, c.phone in (select distinct phone from customer_landing where email like 'a%') i, "
    "c.serialNumber not in (select serialNumber from customer_landing) n, "
    "c.email in (select user from accelerometer_landing where x > 100) e from customer_landing c",
    "select x, x in (select 1) i, x not in (select y from values (1), (null) t(y)) n, "
    "x not in (select y from values (1) t(y)) m from values (1), (2), (null) t(x)",
    # CROSS JOIN with a condition is an inner join.
    "select c.email, s.distanceFromObject from customer_landing c cross join step_trainer_landing s "
    "on (c.serialNumber = s.serialNumber)",
    # Logarithms NULL at and below zero, sqrt of a negative NaN, degrees as Java's toDegrees.
    "select ln(x) a, log10(x) b, log(2.0, x) c, sqrt(x) d, degrees(x) e, log(x) f "
    "from values (-1.5), (0.0), (2.0), (null) t(x)",
    # ceil / floor at a scale (Spark's RoundCeil / RoundFloor: decimals), ceiling.
    "select ceil(x, 1) a, floor(x, 2) b, ceil(cast(x as double), 1) c, floor(1234, -2) d, ceiling(x, 0) e "
    "from values (-0.15), (2.1267), (5.0) t(x)",
    # An inline table or union of decimals and doubles is double.
    "select * from values (0.0), (pi() / 2), (cast('NaN' as double)) as t(value)",
    "select 0.5 x union all select pi()",
    # Empty maps, arrays_overlap's NULLs, array_append / array_prepend of a NULL array, array_agg.
    "select map() m, map_keys(map()) k",
    "select arrays_overlap(array('a', null), array('b', null)) a, arrays_overlap(array('a'), array('b')) b, "
    "arrays_overlap(array('a', null), array('a')) c, arrays_overlap(cast(null as array<string>), array('a')) d",
    "select array_append(cast(null as array<int>), 4) a, array_prepend(cast(null as array<int>), 4) b, "
    "array_append(array(1), null) c",
    "select sort_array(array_agg(x)) a from values (1), (null), (2) t(x)",
    # Spark 4's hmac and base32; interval constructors name their zero parts.
    "select hex(hmac('key', 'message')) a, hex(hmac('key', 'message', 'SHA-512')) b, "
    "to_base32(cast('foobar' as binary)) c, from_base32('MZXW6YTBOI======') d",
    # (No rows: the test reads rows through Arrow, which has no Python value for an interval.)
    "select * from (select make_interval(1, 2), make_dt_interval(1), make_ym_interval(2014)) where false",
    "select map_keys(str_to_map('a:1,b:2')), map_values(str_to_map('a:1;b:2', ';'))",
    # A table-valued function's name is case-insensitive.
    "select id % 3 m, id from RANGE(5)",
    # Two range() tables in one query are two tables (DataFusion took them for one).
    "select (select max(id) from range(40)) a, (select max(id) from range(1)) b",
    # Spark 4's vector functions: double sums eight terms at a time, float results; float aggregates.
    "select vector_cosine_similarity(array(1.0F, 2.0F, 3.0F), array(4.0F, 5.0F, 6.0F)) c, "
    "vector_inner_product(array(0.1F, 0.2F, 0.3F), array(0.3F, 0.2F, 0.1F)) i, "
    "vector_l2_distance(array(1.0F, 2.0F, 3.0F), array(4.0F, 5.0F, 6.0F)) d, vector_norm(array(3.0F, 4.0F)) n, "
    "vector_normalize(array(3.0F, 4.0F), 1.0F) u, vector_normalize(array(0.0F, 0.0F)) z",
    "select vector_sum(v), vector_avg(v) from values (array(0.1F, 1.0F)), (array(0.2F, 2.0F)), (array(0.3F, 4.0F)) t(v)",
    # max_by / min_by with k, count(DISTINCT a, b) (rows with a NULL are not counted), bitmap_and_agg.
    "select max_by(x, y, 2), min_by(x, y, 3) from values ('a', 10), ('b', 50), ('c', 20), ('d', 40) t(x, y)",
    "select count(distinct a, b) n from values (1, 2), (1, 2), (1, null), (2, 3), (null, null) t(a, b)",
    "select substring(hex(bitmap_and_agg(col)), 0, 6) from values (X'F0'), (X'70'), (X'30') t(col)",
]


def _normal(value: object) -> object:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else round(value, 9)
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    # Arrow gives a struct as a dict (a map as a list of pairs); PySpark as a Row, a tuple.
    if isinstance(value, dict):
        return tuple(_normal(v) for v in value.values())
    return value


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)


@pytest.fixture(scope="module")
def both(spark):  # type: ignore[no-untyped-def]
    # Glue 4/5 run Spark 3.3/3.5, whose SQL is not ANSI (PySpark 4 turns ANSI on by default).
    ansi = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    session = SqlSession()
    for name, (rows, schema) in TABLES.items():
        arrow = pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t, _) in enumerate(schema)})
        session.register_view(name, session.frame(arrow))
        ddl = ", ".join(f"`{n}` {s}" for n, _, s in schema)
        spark.createDataFrame(rows, ddl).createOrReplaceTempView(name)
    yield session, spark
    spark.conf.set("spark.sql.ansi.enabled", ansi)


@pytest.mark.parametrize("query", QUERIES)
def test_spark_sql_gives_sparks_columns_and_rows(both, query: str) -> None:  # type: ignore[no-untyped-def]
    session, spark = both
    theirs = spark.sql(query)
    ours = session.sql(query)
    assert ours.columns == theirs.columns
    arrow = pa.table(ours.collect())
    # By position: two columns may share a name.
    our_rows = list(zip(*(column.to_pylist() for column in arrow.columns)))
    their_rows = [tuple(row) for row in theirs.collect()]
    assert _sorted(our_rows) == _sorted(their_rows)


def test_text_beside_a_timestamp_is_read_in_the_session_zone(both) -> None:  # type: ignore[no-untyped-def]
    """`ts <= '…'` compares with that time where the session is, and `CAST(ts AS STRING)` writes
    the session's wall clock (both were UTC's in glueless)."""
    session, spark = both
    query = (
        "select to_timestamp('2023-02-01 10:00:00') <= '2023-02-01 12:00:00' a, "
        "to_timestamp('2023-02-01 10:00:00') = '2023-02-01 10:00:00' b, "
        "to_timestamp('2023-02-01 10:00:00') = '2023-02-01T18:00:00Z' c, "
        "cast(to_timestamp('2023-02-01 10:00:00') as string) d"
    )
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    session.sql("SET spark.sql.session.timeZone=America/Los_Angeles")
    try:
        theirs = [tuple(row) for row in spark.sql(query).collect()]
        arrow = pa.table(session.sql(query).collect())
        assert list(zip(*(c.to_pylist() for c in arrow.columns))) == theirs == [(True, True, True, "2023-02-01 10:00:00")]
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
        session.sql(f"SET spark.sql.session.timeZone={zone}")


def test_errors_name_the_problem(both) -> None:  # type: ignore[no-untyped-def]
    from glueless.exceptions import SqlError

    session, _ = both
    with pytest.raises(SqlError, match="cannot parse the query"):
        session.sql("select * frm customer_landing")
    with pytest.raises(SqlError, match="nope"):
        session.sql("select nope from customer_landing")
    with pytest.raises(SqlError, match="one statement"):
        session.sql("select 1; select 2")
