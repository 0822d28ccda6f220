// Our Rust reference solutions for the built-in HumanEval-Rust set: for each problem, the body that follows
// the prompt's open signature, closing brace included. Written for sigil-eval; checked by `sigil-eval dataset check`.

// HumanEval/0
    numbers
        .iter()
        .enumerate()
        .any(|(i, a)| numbers[i + 1..].iter().any(|b| (a - b).abs() < threshold))
}

// HumanEval/1
    let mut groups = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    for c in paren_string.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth -= 1;
                current.push(c);
                if depth == 0 {
                    groups.push(std::mem::take(&mut current));
                }
            }
            _ => {}
        }
    }
    groups
}

// HumanEval/2
    number.fract()
}

// HumanEval/3
    let mut balance = 0;
    for op in operations {
        balance += op;
        if balance < 0 {
            return true;
        }
    }
    false
}

// HumanEval/4
    let n = numbers.len() as f64;
    let mean = numbers.iter().sum::<f64>() / n;
    numbers.iter().map(|x| (x - mean).abs()).sum::<f64>() / n
}

// HumanEval/5
    let mut result = Vec::with_capacity(numbers.len() * 2);
    for (i, n) in numbers.iter().enumerate() {
        if i > 0 {
            result.push(delimeter);
        }
        result.push(*n);
    }
    result
}

// HumanEval/6
    paren_string
        .split_whitespace()
        .map(|group| {
            let mut depth = 0;
            let mut deepest = 0;
            for c in group.chars() {
                if c == '(' {
                    depth += 1;
                    deepest = deepest.max(depth);
                } else if c == ')' {
                    depth -= 1;
                }
            }
            deepest
        })
        .collect()
}

// HumanEval/7
    strings.iter().filter(|s| s.contains(substring)).map(|s| s.to_string()).collect()
}

// HumanEval/8
    (numbers.iter().sum(), numbers.iter().product())
}

// HumanEval/9
    let mut result = Vec::with_capacity(numbers.len());
    let mut running = i64::MIN;
    for &n in numbers {
        running = running.max(n);
        result.push(running);
    }
    result
}

// HumanEval/10
    let chars: Vec<char> = string.chars().collect();
    for start in 0..chars.len() {
        let suffix: String = chars[start..].iter().collect();
        if is_palindrome(&suffix) {
            let prefix: String = chars[..start].iter().rev().collect();
            return format!("{string}{prefix}");
        }
    }
    String::new()
}

// HumanEval/11
    a.chars().zip(b.chars()).map(|(x, y)| if x == y { '0' } else { '1' }).collect()
}

// HumanEval/12
    let longest = strings.iter().map(|s| s.chars().count()).max()?;
    strings.iter().find(|s| s.chars().count() == longest).map(|s| s.to_string())
}

// HumanEval/13
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

// HumanEval/14
    string.char_indices().map(|(i, c)| string[..i + c.len_utf8()].to_string()).collect()
}

// HumanEval/15
    (0..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
}

// HumanEval/16
    let distinct: std::collections::HashSet<char> = string.to_lowercase().chars().collect();
    distinct.len() as i64
}

// HumanEval/17
    music_string
        .split_whitespace()
        .filter_map(|note| match note {
            "o" => Some(4),
            "o|" => Some(2),
            ".|" => Some(1),
            _ => None,
        })
        .collect()
}

// HumanEval/18
    if substring.is_empty() || substring.len() > string.len() {
        return 0;
    }
    (0..=string.len() - substring.len())
        .filter(|&i| string.as_bytes()[i..].starts_with(substring.as_bytes()))
        .count() as i64
}

// HumanEval/19
    const NAMES: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    let mut words: Vec<&str> = numbers.split_whitespace().collect();
    words.sort_by_key(|word| NAMES.iter().position(|name| name == word));
    words.join(" ")
}

// HumanEval/20
    let mut sorted = numbers.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut best = (sorted[0], sorted[1]);
    for pair in sorted.windows(2) {
        if pair[1] - pair[0] < best.1 - best.0 {
            best = (pair[0], pair[1]);
        }
    }
    best
}

// HumanEval/21
    let min = numbers.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = numbers.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    numbers.iter().map(|x| (x - min) / (max - min)).collect()
}

// HumanEval/22
    values
        .iter()
        .filter_map(|value| match value {
            Value::Int(n) => Some(*n),
            _ => None,
        })
        .collect()
}

// HumanEval/23
    string.chars().count() as i64
}

// HumanEval/24
    (1..n).rev().find(|d| n % d == 0).unwrap_or(1)
}

// HumanEval/25
    let mut factors = Vec::new();
    let mut n = n;
    let mut d = 2;
    while d * d <= n {
        if n % d == 0 {
            factors.push(d);
            n /= d;
        } else {
            d += 1;
        }
    }
    if n > 1 {
        factors.push(n);
    }
    factors
}

// HumanEval/26
    let mut counts = std::collections::HashMap::new();
    for n in numbers {
        *counts.entry(n).or_insert(0) += 1;
    }
    numbers.iter().filter(|n| counts[n] == 1).cloned().collect()
}

// HumanEval/27
    string
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().collect::<String>()
            } else {
                c.to_uppercase().collect::<String>()
            }
        })
        .collect()
}

// HumanEval/28
    strings.concat()
}

// HumanEval/29
    strings.iter().filter(|s| s.starts_with(prefix)).map(|s| s.to_string()).collect()
}

// HumanEval/30
    l.iter().filter(|&&e| e > 0).cloned().collect()
}

// HumanEval/31
    if n < 2 {
        return false;
    }
    let mut k = 2;
    while k * k <= n {
        if n % k == 0 {
            return false;
        }
        k += 1;
    }
    true
}

// HumanEval/32
    let (mut begin, mut end) = (-1.0, 1.0);
    while poly(xs, begin) * poly(xs, end) > 0.0 {
        begin *= 2.0;
        end *= 2.0;
    }
    while end - begin > 1e-10 {
        let center = (begin + end) / 2.0;
        if poly(xs, center) * poly(xs, begin) > 0.0 {
            begin = center;
        } else {
            end = center;
        }
    }
    begin
}

// HumanEval/33
    let mut thirds: Vec<i64> = l.iter().step_by(3).cloned().collect();
    thirds.sort();
    let mut result = l.to_vec();
    for (slot, value) in result.iter_mut().step_by(3).zip(thirds) {
        *slot = value;
    }
    result
}

// HumanEval/34
    let mut result = l.to_vec();
    result.sort();
    result.dedup();
    result
}

// HumanEval/35
    *l.iter().max().expect("a non-empty list")
}

// HumanEval/36
    (0..n)
        .filter(|i| i % 11 == 0 || i % 13 == 0)
        .map(|i| i.to_string().matches('7').count() as i64)
        .sum()
}

// HumanEval/37
    let mut evens: Vec<i64> = l.iter().step_by(2).cloned().collect();
    evens.sort();
    let mut result = l.to_vec();
    for (slot, value) in result.iter_mut().step_by(2).zip(evens) {
        *slot = value;
    }
    result
}

// HumanEval/38
    encode_cyclic(&encode_cyclic(s))
}

// HumanEval/39
    fn is_prime(p: i64) -> bool {
        p >= 2 && (2..).take_while(|k| k * k <= p).all(|k| p % k != 0)
    }
    let (mut a, mut b) = (0_i64, 1_i64);
    let mut remaining = n;
    loop {
        (a, b) = (b, a + b);
        if is_prime(b) {
            remaining -= 1;
            if remaining == 0 {
                return b;
            }
        }
    }
}

// HumanEval/40
    let n = l.len();
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                if l[i] + l[j] + l[k] == 0 {
                    return true;
                }
            }
        }
    }
    false
}

// HumanEval/41
    n * n
}

// HumanEval/42
    l.iter().map(|e| e + 1).collect()
}

// HumanEval/43
    l.iter().enumerate().any(|(i, a)| l[i + 1..].iter().any(|b| a + b == 0))
}

// HumanEval/44
    let mut digits = Vec::new();
    let mut x = x;
    while x > 0 {
        digits.push(char::from_digit((x % base) as u32, base as u32).expect("base below 10"));
        x /= base;
    }
    digits.iter().rev().collect()
}

// HumanEval/45
    a * h / 2.0
}

// HumanEval/46
    let mut window = [0_i64, 0, 2, 0];
    if n < 4 {
        return window[n as usize];
    }
    for _ in 4..=n {
        let next = window.iter().sum();
        window = [window[1], window[2], window[3], next];
    }
    window[3]
}

// HumanEval/47
    let mut sorted = l.to_vec();
    sorted.sort();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid] as f64
    } else {
        (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
    }
}

// HumanEval/48
    text.chars().eq(text.chars().rev())
}

// HumanEval/49
    let mut result = 1 % p;
    let mut base = 2 % p;
    let mut exponent = n;
    while exponent > 0 {
        if exponent % 2 == 1 {
            result = result * base % p;
        }
        base = base * base % p;
        exponent /= 2;
    }
    result
}

// HumanEval/50
    s.chars()
        .map(|ch| (((ch as u8 - b'a' + 21) % 26) + b'a') as char)
        .collect()
}

// HumanEval/51
    text.chars().filter(|c| !"aeiouAEIOU".contains(*c)).collect()
}

// HumanEval/52
    l.iter().all(|&e| e < t)
}

// HumanEval/53
    x + y
}

// HumanEval/54
    use std::collections::HashSet;
    s0.chars().collect::<HashSet<_>>() == s1.chars().collect::<HashSet<_>>()
}

// HumanEval/55
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

// HumanEval/56
    let mut depth = 0;
    for b in brackets.chars() {
        depth += if b == '<' { 1 } else { -1 };
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

// HumanEval/57
    l.windows(2).all(|w| w[0] <= w[1]) || l.windows(2).all(|w| w[0] >= w[1])
}

// HumanEval/58
    let mut result: Vec<i64> = l1.iter().filter(|e| l2.contains(e)).cloned().collect();
    result.sort();
    result.dedup();
    result
}

// HumanEval/59
    let mut n = n;
    let mut largest = 1;
    let mut d = 2;
    while d * d <= n {
        while n % d == 0 {
            largest = d;
            n /= d;
        }
        d += 1;
    }
    if n > 1 {
        largest = n;
    }
    largest
}

// HumanEval/60
    n * (n + 1) / 2
}

// HumanEval/61
    let mut depth = 0;
    for b in brackets.chars() {
        depth += if b == '(' { 1 } else { -1 };
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

// HumanEval/62
    xs.iter().enumerate().skip(1).map(|(i, x)| i as i64 * x).collect()
}

// HumanEval/63
    let (mut a, mut b, mut c) = (0_i64, 0_i64, 1_i64);
    for _ in 0..n {
        (a, b, c) = (b, c, a + b + c);
    }
    a
}

// HumanEval/64
    let mut count = s.chars().filter(|c| "aeiouAEIOU".contains(*c)).count() as i64;
    if s.ends_with('y') || s.ends_with('Y') {
        count += 1;
    }
    count
}

// HumanEval/65
    let digits = x.to_string();
    let len = digits.len();
    let shift = shift as usize;
    if shift > len {
        digits.chars().rev().collect()
    } else {
        format!("{}{}", &digits[len - shift..], &digits[..len - shift])
    }
}

// HumanEval/66
    s.chars().filter(|c| c.is_ascii_uppercase()).map(|c| c as i64).sum()
}

// HumanEval/67
    let fruits: i64 = s.split_whitespace().filter_map(|word| word.parse::<i64>().ok()).sum();
    n - fruits
}

// HumanEval/68
    match arr.iter().enumerate().filter(|(_, v)| *v % 2 == 0).min_by_key(|(i, v)| (**v, *i)) {
        Some((index, value)) => vec![*value, index as i64],
        None => vec![],
    }
}

// HumanEval/69
    let mut counts = std::collections::HashMap::new();
    for &n in lst {
        *counts.entry(n).or_insert(0_i64) += 1;
    }
    counts.into_iter().filter(|&(n, count)| n > 0 && count >= n).map(|(n, _)| n).max().unwrap_or(-1)
}

// HumanEval/70
    let mut sorted = lst.to_vec();
    sorted.sort();
    let mut result = Vec::with_capacity(sorted.len());
    let (mut low, mut high) = (0, sorted.len());
    while low < high {
        result.push(sorted[low]);
        low += 1;
        if low < high {
            high -= 1;
            result.push(sorted[high]);
        }
    }
    result
}

// HumanEval/71
    if a + b <= c || a + c <= b || b + c <= a {
        return -1.0;
    }
    let (a, b, c) = (a as f64, b as f64, c as f64);
    let s = (a + b + c) / 2.0;
    let area = (s * (s - a) * (s - b) * (s - c)).sqrt();
    (area * 100.0).round() / 100.0
}

// HumanEval/72
    q.iter().sum::<i64>() <= w && q.iter().eq(q.iter().rev())
}

// HumanEval/73
    let n = arr.len();
    (0..n / 2).filter(|&i| arr[i] != arr[n - 1 - i]).count() as i64
}

// HumanEval/74
    let total = |lst: &[&str]| lst.iter().map(|s| s.chars().count()).sum::<usize>();
    let chosen = if total(lst1) <= total(lst2) { lst1 } else { lst2 };
    chosen.iter().map(|s| s.to_string()).collect()
}

// HumanEval/75
    let mut n = a;
    let mut factors = 0;
    let mut d = 2;
    while d * d <= n {
        while n % d == 0 {
            n /= d;
            factors += 1;
        }
        d += 1;
    }
    if n > 1 {
        factors += 1;
    }
    a > 1 && factors == 3
}

// HumanEval/76
    if n == 1 {
        return x == 1;
    }
    let mut power = 1;
    while power < x {
        power *= n;
    }
    power == x
}

// HumanEval/77
    let a = a.abs();
    let root = (a as f64).cbrt().round() as i64;
    root * root * root == a
}

// HumanEval/78
    num.chars().filter(|c| "2357BD".contains(*c)).count() as i64
}

// HumanEval/79
    format!("db{decimal:b}db")
}

// HumanEval/80
    let chars: Vec<char> = s.chars().collect();
    chars.len() >= 3 && chars.windows(3).all(|w| w[0] != w[1] && w[1] != w[2] && w[0] != w[2])
}

// HumanEval/81
    grades
        .iter()
        .map(|&gpa| {
            let grade = if gpa == 4.0 {
                "A+"
            } else if gpa > 3.7 {
                "A"
            } else if gpa > 3.3 {
                "A-"
            } else if gpa > 3.0 {
                "B+"
            } else if gpa > 2.7 {
                "B"
            } else if gpa > 2.3 {
                "B-"
            } else if gpa > 2.0 {
                "C+"
            } else if gpa > 1.7 {
                "C"
            } else if gpa > 1.3 {
                "C-"
            } else if gpa > 1.0 {
                "D+"
            } else if gpa > 0.7 {
                "D"
            } else if gpa > 0.0 {
                "D-"
            } else {
                "E"
            };
            grade.to_string()
        })
        .collect()
}

// HumanEval/82
    let n = string.chars().count() as i64;
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

// HumanEval/83
    if n == 1 {
        1
    } else {
        18 * 10_i64.pow((n - 2) as u32)
    }
}

// HumanEval/84
    let digit_sum: u32 = n.to_string().chars().filter_map(|c| c.to_digit(10)).sum();
    format!("{digit_sum:b}")
}

// HumanEval/85
    lst.iter().skip(1).step_by(2).filter(|v| *v % 2 == 0).sum()
}

// HumanEval/86
    s.split(' ')
        .map(|word| {
            let mut chars: Vec<char> = word.chars().collect();
            chars.sort();
            chars.into_iter().collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// HumanEval/87
    let mut coordinates = Vec::new();
    for (row, values) in lst.iter().enumerate() {
        for (column, value) in values.iter().enumerate().rev() {
            if *value == x {
                coordinates.push((row as i64, column as i64));
            }
        }
    }
    coordinates
}

// HumanEval/88
    let mut sorted = array.to_vec();
    sorted.sort();
    if let (Some(first), Some(last)) = (array.first(), array.last()) {
        if (first + last) % 2 == 0 {
            sorted.reverse();
        }
    }
    sorted
}

// HumanEval/89
    s.chars()
        .map(|c| if c.is_ascii_lowercase() { (((c as u8 - b'a' + 4) % 26) + b'a') as char } else { c })
        .collect()
}

// HumanEval/90
    let mut distinct = lst.to_vec();
    distinct.sort();
    distinct.dedup();
    distinct.get(1).copied()
}

// HumanEval/91
    s.split(['.', '?', '!'])
        .enumerate()
        .filter(|(i, sentence)| {
            let sentence = if *i == 0 { sentence } else { sentence.trim_start() };
            sentence.starts_with("I ")
        })
        .count() as i64
}

// HumanEval/92
    match (x, y, z) {
        (Value::Int(x), Value::Int(y), Value::Int(z)) => x + y == z || x + z == y || y + z == x,
        _ => false,
    }
}

// HumanEval/93
    message
        .chars()
        .map(|c| {
            let swapped = if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
            if "aeiouAEIOU".contains(swapped) {
                (swapped as u8 + 2) as char
            } else {
                swapped
            }
        })
        .collect()
}

// HumanEval/94
    fn is_prime(n: i64) -> bool {
        n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
    }
    let largest = lst.iter().copied().filter(|&n| is_prime(n)).max().unwrap_or(0);
    largest.to_string().chars().filter_map(|c| c.to_digit(10)).map(i64::from).sum()
}

// HumanEval/95
    fn is_upper(s: &str) -> bool {
        s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)
    }
    fn is_lower(s: &str) -> bool {
        s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)
    }
    let keys: Option<Vec<&str>> = dict
        .iter()
        .map(|(key, _)| match key {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    match keys {
        Some(keys) if !keys.is_empty() => keys.iter().all(|k| is_upper(k)) || keys.iter().all(|k| is_lower(k)),
        _ => false,
    }
}

// HumanEval/96
    (2..n.max(2)).filter(|&i| (2..).take_while(|d| d * d <= i).all(|d| i % d != 0)).collect()
}

// HumanEval/97
    (a.abs() % 10) * (b.abs() % 10)
}

// HumanEval/98
    s.chars().step_by(2).filter(|c| "AEIOU".contains(*c)).count() as i64
}

// HumanEval/99
    value.trim().parse::<f64>().map(|v| v.round() as i64).unwrap_or(0)
}

// HumanEval/100
    (0..n).map(|i| n + 2 * i).collect()
}

// HumanEval/101
    s.split([',', ' ']).filter(|w| !w.is_empty()).map(String::from).collect()
}

// HumanEval/102
    let mut candidate = y;
    while candidate >= x {
        if candidate % 2 == 0 {
            return candidate;
        }
        candidate -= 1;
    }
    -1
}

// HumanEval/103
    if m < n {
        return None;
    }
    let count = m - n + 1;
    let total: i64 = (n..=m).sum();
    let (quotient, remainder) = (total.div_euclid(count), total.rem_euclid(count));
    // Round half to even, as Python's round() does.
    let rounded = match (2 * remainder).cmp(&count) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + quotient.rem_euclid(2),
    };
    Some(format!("0b{rounded:b}"))
}

// HumanEval/104
    let mut result: Vec<i64> = x
        .iter()
        .copied()
        .filter(|n| n.to_string().chars().all(|c| c.to_digit(10).is_some_and(|d| d % 2 == 1)))
        .collect();
    result.sort();
    result
}

// HumanEval/105
    const NAMES: [&str; 9] = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"];
    let mut digits: Vec<i64> = arr.iter().copied().filter(|n| (1..=9).contains(n)).collect();
    digits.sort_by(|a, b| b.cmp(a));
    digits.iter().map(|&d| NAMES[(d - 1) as usize].to_string()).collect()
}

// HumanEval/106
    (1..=n)
        .map(|i| if i % 2 == 0 { (1..=i).product() } else { (1..=i).sum() })
        .collect()
}

// HumanEval/107
    let is_palindrome = |i: i64| {
        let s = i.to_string();
        s.chars().eq(s.chars().rev())
    };
    let palindromes: Vec<i64> = (1..=n).filter(|&i| is_palindrome(i)).collect();
    let even = palindromes.iter().filter(|i| *i % 2 == 0).count() as i64;
    (even, palindromes.len() as i64 - even)
}

// HumanEval/108
    fn signed_digit_sum(n: i64) -> i64 {
        let digits: Vec<i64> = n.abs().to_string().chars().map(|c| c.to_digit(10).unwrap() as i64).collect();
        let first = if n < 0 { -digits[0] } else { digits[0] };
        first + digits[1..].iter().sum::<i64>()
    }
    arr.iter().filter(|&&n| signed_digit_sum(n) > 0).count() as i64
}

// HumanEval/109
    let n = arr.len();
    let descents = (0..n).filter(|&i| arr[i] > arr[(i + 1) % n]).count();
    descents <= 1
}

// HumanEval/110
    let odd_in_first = lst1.iter().filter(|v| v.rem_euclid(2) == 1).count();
    let even_in_second = lst2.iter().filter(|v| v.rem_euclid(2) == 0).count();
    if even_in_second >= odd_in_first { "YES" } else { "NO" }.to_string()
}

// HumanEval/111
    let mut counts: HashMap<char, i64> = HashMap::new();
    for word in test.split_whitespace() {
        if let Some(letter) = word.chars().next() {
            *counts.entry(letter).or_insert(0) += 1;
        }
    }
    let most = counts.values().copied().max().unwrap_or(0);
    counts.retain(|_, count| *count == most);
    counts
}

// HumanEval/112
    let kept: String = s.chars().filter(|ch| !c.contains(*ch)).collect();
    let is_palindrome = kept.chars().eq(kept.chars().rev());
    (kept, is_palindrome)
}

// HumanEval/113
    lst.iter()
        .map(|digits| {
            let n = digits.chars().filter(|c| c.to_digit(10).is_some_and(|d| d % 2 == 1)).count();
            format!("the number of odd elements {n}n the str{n}ng {n} of the {n}nput.")
        })
        .collect()
}

// HumanEval/114
    let mut best = i64::MAX;
    let mut current = 0;
    for &n in nums {
        current = n.min(current + n);
        best = best.min(current);
    }
    best
}

// HumanEval/115
    grid.iter()
        .map(|well| {
            let water: i64 = well.iter().sum();
            (water + capacity - 1) / capacity
        })
        .sum()
}

// HumanEval/116
    let mut sorted = arr.to_vec();
    sorted.sort_by_key(|&x| (x.unsigned_abs().count_ones(), x));
    sorted
}

// HumanEval/117
    s.split_whitespace()
        .filter(|word| word.chars().filter(|c| !"aeiou".contains(c.to_ascii_lowercase())).count() as i64 == n)
        .map(String::from)
        .collect()
}

// HumanEval/118
    let is_vowel = |c: char| "aeiouAEIOU".contains(c);
    let chars: Vec<char> = word.chars().collect();
    for i in (1..chars.len().saturating_sub(1)).rev() {
        if is_vowel(chars[i]) && !is_vowel(chars[i - 1]) && !is_vowel(chars[i + 1]) {
            return chars[i].to_string();
        }
    }
    String::new()
}

// HumanEval/119
    fn balanced(s: &str) -> bool {
        let mut depth = 0;
        for c in s.chars() {
            depth += if c == '(' { 1 } else { -1 };
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }
    let (a, b) = (lst[0], lst[1]);
    if balanced(&format!("{a}{b}")) || balanced(&format!("{b}{a}")) { "Yes" } else { "No" }.to_string()
}

// HumanEval/120
    let mut sorted = arr.to_vec();
    sorted.sort();
    sorted.split_off(sorted.len() - k as usize)
}

// HumanEval/121
    lst.iter().step_by(2).filter(|x| x.rem_euclid(2) == 1).sum()
}

// HumanEval/122
    arr.iter().take(k as usize).filter(|x| x.to_string().len() <= 2).sum()
}

// HumanEval/123
    let mut odd = Vec::new();
    let mut n = n;
    loop {
        if n % 2 == 1 {
            odd.push(n);
        }
        if n <= 1 {
            break;
        }
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
    }
    odd.sort();
    odd
}

// HumanEval/124
    let parts: Vec<&str> = date.trim().split('-').collect();
    if parts.len() != 3 || parts[0].len() != 2 || parts[1].len() != 2 || parts[2].len() != 4 {
        return false;
    }
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    let Some(numbers) = numbers else { return false };
    let (month, day) = (numbers[0], numbers[1]);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

// HumanEval/125
    if txt.contains(char::is_whitespace) {
        Value::List(txt.split_whitespace().map(|w| Value::Str(w.to_string())).collect())
    } else if txt.contains(',') {
        Value::List(txt.split(',').filter(|w| !w.is_empty()).map(|w| Value::Str(w.to_string())).collect())
    } else {
        Value::Int(txt.chars().filter(|c| c.is_ascii_lowercase() && (*c as u8) & 1 == 0).count() as i64)
    }
}

// HumanEval/126
    let mut counts = std::collections::HashMap::new();
    for x in lst {
        *counts.entry(x).or_insert(0) += 1;
    }
    counts.values().all(|&c| c <= 2) && lst.windows(2).all(|w| w[0] <= w[1])
}

// HumanEval/127
    let start = interval1.0.max(interval2.0);
    let end = interval1.1.min(interval2.1);
    let length = end - start;
    let is_prime = length >= 2 && (2..).take_while(|d| d * d <= length).all(|d| length % d != 0);
    if is_prime { "YES" } else { "NO" }.to_string()
}

// HumanEval/128
    if arr.is_empty() {
        return None;
    }
    let sign: i64 = arr.iter().map(|x| x.signum()).product();
    Some(sign * arr.iter().map(|x| x.abs()).sum::<i64>())
}

// HumanEval/129
    let n = grid.len();
    let mut smallest_neighbour = i64::MAX;
    for i in 0..n {
        for j in 0..n {
            if grid[i][j] == 1 {
                if i > 0 {
                    smallest_neighbour = smallest_neighbour.min(grid[i - 1][j]);
                }
                if j > 0 {
                    smallest_neighbour = smallest_neighbour.min(grid[i][j - 1]);
                }
                if i + 1 < n {
                    smallest_neighbour = smallest_neighbour.min(grid[i + 1][j]);
                }
                if j + 1 < n {
                    smallest_neighbour = smallest_neighbour.min(grid[i][j + 1]);
                }
            }
        }
    }
    (0..k).map(|i| if i % 2 == 0 { 1 } else { smallest_neighbour }).collect()
}

// HumanEval/130
    let mut sequence = vec![1, 3];
    if n == 0 {
        return vec![1];
    }
    for i in 2..=n {
        let next = if i % 2 == 0 {
            i / 2 + 1
        } else {
            sequence[(i - 1) as usize] + sequence[(i - 2) as usize] + (i + 3) / 2
        };
        sequence.push(next);
    }
    sequence
}

// HumanEval/131
    let odd: Vec<i64> = n
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .filter(|d| d % 2 == 1)
        .map(i64::from)
        .collect();
    if odd.is_empty() { 0 } else { odd.iter().product() }
}

// HumanEval/132
    let opening: Vec<usize> = string.char_indices().filter(|(_, c)| *c == '[').map(|(i, _)| i).collect();
    let mut closing: Vec<usize> = string.char_indices().filter(|(_, c)| *c != '[').map(|(i, _)| i).collect();
    closing.reverse();
    let mut matched = 0;
    for open in opening {
        if matched < closing.len() && open < closing[matched] {
            matched += 1;
        }
    }
    matched >= 2
}

// HumanEval/133
    lst.iter().map(|x| x.ceil() as i64).map(|x| x * x).sum()
}

// HumanEval/134
    let last = txt.rsplit(' ').next().unwrap_or("");
    let mut chars = last.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_alphabetic())
}

// HumanEval/135
    (1..arr.len()).rev().find(|&i| arr[i] < arr[i - 1]).map_or(-1, |i| i as i64)
}

// HumanEval/136
    let largest_negative = lst.iter().copied().filter(|&x| x < 0).max();
    let smallest_positive = lst.iter().copied().filter(|&x| x > 0).min();
    (largest_negative, smallest_positive)
}

// HumanEval/137
    fn as_number(value: &Value) -> f64 {
        match value {
            Value::Int(n) => *n as f64,
            Value::Float(x) => *x,
            Value::Str(s) => s.replace(',', ".").parse().unwrap_or(f64::NAN),
            _ => f64::NAN,
        }
    }
    let (x, y) = (as_number(&a), as_number(&b));
    if x == y {
        None
    } else if x > y {
        Some(a)
    } else {
        Some(b)
    }
}

// HumanEval/138
    n % 2 == 0 && n >= 8
}

// HumanEval/139
    let mut factorial = 1_i64;
    let mut result = 1_i64;
    for i in 1..=n {
        factorial *= i;
        result *= factorial;
    }
    result
}

// HumanEval/140
    let mut result = String::new();
    let mut spaces = 0;
    let flush = |result: &mut String, spaces: usize| {
        if spaces > 2 {
            result.push('-');
        } else {
            result.push_str(&"_".repeat(spaces));
        }
    };
    for c in text.chars() {
        if c == ' ' {
            spaces += 1;
        } else {
            flush(&mut result, spaces);
            spaces = 0;
            result.push(c);
        }
    }
    flush(&mut result, spaces);
    result
}

// HumanEval/141
    let parts: Vec<&str> = file_name.split('.').collect();
    let valid = parts.len() == 2
        && ["txt", "exe", "dll"].contains(&parts[1])
        && parts[0].chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && parts[0].chars().filter(|c| c.is_ascii_digit()).count() <= 3;
    if valid { "Yes" } else { "No" }.to_string()
}

// HumanEval/142
    lst.iter()
        .enumerate()
        .map(|(i, &x)| {
            if i % 3 == 0 {
                x * x
            } else if i % 4 == 0 {
                x * x * x
            } else {
                x
            }
        })
        .sum()
}

// HumanEval/143
    let is_prime = |n: i64| n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0);
    sentence
        .split_whitespace()
        .filter(|word| is_prime(word.chars().count() as i64))
        .collect::<Vec<_>>()
        .join(" ")
}

// HumanEval/144
    let parse = |fraction: &str| -> (i64, i64) {
        let (numerator, denominator) = fraction.split_once('/').expect("a fraction");
        (numerator.parse().expect("a numerator"), denominator.parse().expect("a denominator"))
    };
    let (a, b) = parse(x);
    let (c, d) = parse(n);
    (a * c) % (b * d) == 0
}

// HumanEval/145
    fn signed_digit_sum(n: i64) -> i64 {
        let digits: Vec<i64> = n.abs().to_string().chars().map(|c| c.to_digit(10).unwrap() as i64).collect();
        let first = if n < 0 { -digits[0] } else { digits[0] };
        first + digits[1..].iter().sum::<i64>()
    }
    let mut sorted = nums.to_vec();
    sorted.sort_by_key(|&n| signed_digit_sum(n));
    sorted
}

// HumanEval/146
    let odd_digit = |d: u8| (d - b'0') % 2 == 1;
    nums.iter()
        .filter(|&&n| {
            let digits = n.to_string();
            let bytes = digits.as_bytes();
            n > 10 && odd_digit(bytes[0]) && odd_digit(bytes[bytes.len() - 1])
        })
        .count() as i64
}

// HumanEval/147
    let mut residues = [0_i64; 3];
    for i in 1..=n {
        residues[((i * i - i + 1) % 3) as usize] += 1;
    }
    let choose3 = |k: i64| k * (k - 1) * (k - 2) / 6;
    choose3(residues[0]) + choose3(residues[1]) + choose3(residues[2]) + residues[0] * residues[1] * residues[2]
}

// HumanEval/148
    const PLANETS: [&str; 8] = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"];
    let (Some(i), Some(j)) = (
        PLANETS.iter().position(|p| *p == planet1),
        PLANETS.iter().position(|p| *p == planet2),
    ) else {
        return vec![];
    };
    let (low, high) = (i.min(j), i.max(j));
    if high - low < 2 {
        return vec![];
    }
    PLANETS[low + 1..high].iter().map(|p| p.to_string()).collect()
}

// HumanEval/149
    let mut kept: Vec<String> = lst.iter().filter(|s| s.len() % 2 == 0).map(|s| s.to_string()).collect();
    kept.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    kept
}

// HumanEval/150
    let is_prime = n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0);
    if is_prime { x } else { y }
}

// HumanEval/151
    lst.iter()
        .filter(|x| **x > 0.0 && x.fract() == 0.0 && (**x as i64) % 2 == 1)
        .map(|x| (*x as i64) * (*x as i64))
        .sum()
}

// HumanEval/152
    game.iter().zip(guess).map(|(a, b)| (a - b).abs()).collect()
}

// HumanEval/153
    let strength = |name: &str| {
        let upper = name.chars().filter(|c| c.is_uppercase()).count() as i64;
        let lower = name.chars().filter(|c| c.is_lowercase()).count() as i64;
        upper - lower
    };
    let mut strongest = extensions[0];
    for extension in &extensions[1..] {
        if strength(extension) > strength(strongest) {
            strongest = extension;
        }
    }
    format!("{class_name}.{strongest}")
}

// HumanEval/154
    let pattern: Vec<char> = b.chars().collect();
    (0..=pattern.len()).any(|shift| {
        let rotation: String = pattern[shift..].iter().chain(&pattern[..shift]).collect();
        a.contains(&rotation)
    })
}

// HumanEval/155
    let digits = num.unsigned_abs().to_string();
    let even = digits.chars().filter(|c| c.to_digit(10).is_some_and(|d| d % 2 == 0)).count() as i64;
    (even, digits.len() as i64 - even)
}

// HumanEval/156
    const NUMERALS: [(i64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut number = number;
    let mut roman = String::new();
    for (value, symbol) in NUMERALS {
        while number >= value {
            roman.push_str(symbol);
            number -= value;
        }
    }
    roman
}

// HumanEval/157
    let mut sides = [a, b, c];
    sides.sort();
    sides[0] > 0 && sides[0] * sides[0] + sides[1] * sides[1] == sides[2] * sides[2]
}

// HumanEval/158
    let unique = |w: &str| w.chars().collect::<std::collections::HashSet<_>>().len();
    let mut best = words[0];
    for &word in &words[1..] {
        if unique(word) > unique(best) || (unique(word) == unique(best) && word < best) {
            best = word;
        }
    }
    best.to_string()
}

// HumanEval/159
    let eaten = need.min(remaining);
    vec![number + eaten, remaining - eaten]
}

// HumanEval/160
    fn floor_div(a: i64, b: i64) -> i64 {
        let q = a / b;
        if (a % b != 0) && ((a < 0) != (b < 0)) { q - 1 } else { q }
    }
    // Exponentiation first (right to left), then * and // (left to right), then + and -.
    let mut values: Vec<i64> = operand.to_vec();
    let mut ops: Vec<&str> = operator.to_vec();
    let mut i = ops.len();
    while i > 0 {
        i -= 1;
        if ops[i] == "**" {
            values[i] = values[i].pow(values[i + 1] as u32);
            values.remove(i + 1);
            ops.remove(i);
        }
    }
    let mut i = 0;
    while i < ops.len() {
        match ops[i] {
            "*" | "//" => {
                values[i] = if ops[i] == "*" { values[i] * values[i + 1] } else { floor_div(values[i], values[i + 1]) };
                values.remove(i + 1);
                ops.remove(i);
            }
            _ => i += 1,
        }
    }
    let mut result = values[0];
    for (op, value) in ops.iter().zip(&values[1..]) {
        result = if *op == "+" { result + value } else { result - value };
    }
    result
}

// HumanEval/161
    if s.chars().any(char::is_alphabetic) {
        s.chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<String>()
                } else {
                    c.to_uppercase().collect::<String>()
                }
            })
            .collect()
    } else {
        s.chars().rev().collect()
    }
}

// HumanEval/162
    if text.is_empty() {
        None
    } else {
        Some(format!("{:x}", md5::compute(text)))
    }
}

// HumanEval/163
    let low = a.min(b).max(2);
    let high = a.max(b).min(8);
    (low..=high).filter(|i| i % 2 == 0).collect()
}
