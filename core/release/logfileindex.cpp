#include "logfileindex.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <sys/stat.h>

namespace rd {

namespace {

// Big enough that a search over a million lines is a few dozen reads, small enough to stay cheap.
constexpr qint64 BlockBytes = 4 * 1024 * 1024;
constexpr int CachedLines = 4096;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c;
}

// Horspool's search with ASCII case folded as it compares, so a block needs no lowered copy.
class FoldedSearch
{
public:
    explicit FoldedSearch(QByteArray pattern) : m_pattern(std::move(pattern))
    {
        const qsizetype length = m_pattern.size();
        m_skip.fill(length);
        for (qsizetype i = 0; i < length; ++i) {
            m_pattern[i] = asciiLower(m_pattern[i]);
            if (i + 1 < length)
                m_skip[uchar(m_pattern[i])] = length - 1 - i;
        }
        for (char c = 'A'; c <= 'Z'; ++c)
            m_skip[uchar(c)] = m_skip[uchar(asciiLower(c))];
    }

    qsizetype indexIn(QByteArrayView haystack, qsizetype from) const
    {
        const qsizetype length = m_pattern.size();
        const char *pattern = m_pattern.constData();
        const char *data = haystack.data();
        for (qsizetype at = from; at + length <= haystack.size();
             at += m_skip[uchar(data[at + length - 1])]) {
            qsizetype i = length - 1;
            while (i >= 0 && asciiLower(data[at + i]) == pattern[i])
                --i;
            if (i < 0)
                return at;
        }
        return -1;
    }

private:
    QByteArray m_pattern;
    std::array<qsizetype, 256> m_skip;
};

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

} // namespace

LogFileIndex::LogFileIndex(const QString &path) : m_path(path), m_cache(CachedLines) {}

void LogFileIndex::setPath(const QString &path)
{
    m_path = path;
    reset();
}

void LogFileIndex::reset()
{
    m_file.close();
    m_inode = 0;
    m_starts = {};
    m_pendingStart = 0;
    m_scanned = 0;
    m_longest = 0;
    m_cache.clear();
    m_buffer = {};
}

LogFileIndex::Refresh LogFileIndex::refresh(qint64 maxBytes)
{
    Refresh result;
    struct stat status = {};
    const QByteArray native = QFile::encodeName(m_path);
    if (m_path.isEmpty() || ::stat(native.constData(), &status) != 0) {
        result.reset = m_file.isOpen();
        if (result.reset)
            reset();
        return result;
    }
    if (m_file.isOpen()) {
        // A log rotated, rewritten or truncated since the last look: what was indexed no longer holds.
        bool replaced = quint64(status.st_ino) != m_inode || status.st_size < m_scanned;
        if (!replaced && m_pendingStart > 0) {
            char end = 0;
            replaced = !m_file.seek(m_pendingStart - 1) || m_file.read(&end, 1) != 1 || end != '\n';
        }
        if (replaced) {
            reset();
            result.reset = true;
        }
    }
    if (!m_file.isOpen()) {
        m_file.setFileName(m_path);
        if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            return result;
        struct stat opened = {};
        if (::fstat(m_file.handle(), &opened) != 0)
            return result;
        m_inode = opened.st_ino;
    }

    const qint64 size = status.st_size;
    const qint64 end = maxBytes > 0 ? std::min(size, m_scanned + maxBytes) : size;
    if (m_scanned >= end || !m_file.seek(m_scanned))
        return result;
    // Kept between calls: a fresh multi-megabyte buffer on every poll would fault its pages in each time.
    if (m_buffer.size() < std::min<qint64>(BlockBytes, end - m_scanned))
        m_buffer.resize(std::min<qint64>(BlockBytes, end - m_scanned));
    while (m_scanned < end) {
        const qint64 got = m_file.read(m_buffer.data(), std::min<qint64>(m_buffer.size(), end - m_scanned));
        if (got <= 0)
            break;
        const char *data = m_buffer.constData();
        const char *cursor = data;
        const char *stop = data + got;
        while (const void *found = std::memchr(cursor, '\n', size_t(stop - cursor))) {
            const char *newline = static_cast<const char *>(found);
            const qint64 offset = m_scanned + (newline - data);
            m_starts.push_back(m_pendingStart);
            m_longest = std::max(m_longest, offset - m_pendingStart);
            m_pendingStart = offset + 1;
            cursor = newline + 1;
        }
        m_scanned += got;
    }
    result.more = m_scanned < size;
    return result;
}

qint64 LogFileIndex::endOf(int row) const
{
    return size_t(row) + 1 < m_starts.size() ? m_starts[size_t(row) + 1] - 1 : m_pendingStart - 1;
}

qint64 LogFileIndex::lineLength(int row) const
{
    if (row < 0 || row >= lineCount())
        return 0;
    return endOf(row) - m_starts[size_t(row)];
}

bool LogFileIndex::readRange(int firstRow, int lastRow, QByteArray &into) const
{
    const qint64 start = m_starts[size_t(firstRow)];
    const qint64 length = endOf(lastRow) - start;
    into.resize(length);
    return length == 0 || (m_file.seek(start) && m_file.read(into.data(), length) == length);
}

QByteArray LogFileIndex::rawLine(int row) const
{
    QByteArray bytes;
    if (row < 0 || row >= lineCount() || !readRange(row, row, bytes))
        return {};
    if (bytes.endsWith('\r'))
        bytes.chop(1);
    return bytes;
}

LogLine LogFileIndex::line(int row) const
{
    if (const LogLine *cached = m_cache.object(row))
        return *cached;
    if (row < 0 || row >= lineCount())
        return {};
    auto *parsed = new LogLine(parse(rawLine(row)));
    LogLine copy = *parsed;
    m_cache.insert(row, parsed);
    return copy;
}

qsizetype LogFileIndex::textOffset(QByteArrayView record)
{
    // "2026-11-23T23:03:03.123Z O text": checked by shape only, because search runs this on every line.
    if (record.size() < 22 || record[4] != '-' || record[7] != '-' || record[10] != 'T' || record[13] != ':')
        return 0;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12})
        if (!isDigit(record[i]))
            return 0;
    const qsizetype space = record.indexOf(' ');
    if (space < 19 || space > 40 || space + 1 >= record.size())
        return 0;
    const char stream = record[space + 1];
    if (stream != 'O' && stream != 'E')
        return 0;
    if (space + 2 == record.size())
        return space + 2;
    return record[space + 2] == ' ' ? space + 3 : 0;
}

LogLine LogFileIndex::parse(QByteArrayView record)
{
    LogLine line;
    const qsizetype offset = textOffset(record);
    if (offset == 0) {
        line.text = QString::fromUtf8(record);
        return line;
    }
    const qsizetype space = record.indexOf(' ');
    line.time = QDateTime::fromString(QString::fromLatin1(record.first(space)), Qt::ISODateWithMs);
    line.isStderr = record[space + 1] == 'E';
    line.text = QString::fromUtf8(record.sliced(offset));
    return line;
}

void LogFileIndex::scan(const QString &needle, Qt::CaseSensitivity cs, int fromRow, int toRow, bool backwards,
                        const std::function<bool(int)> &match) const
{
    fromRow = std::max(fromRow, 0);
    toRow = toRow < 0 ? lineCount() : std::min(toRow, lineCount());
    if (needle.isEmpty() || needle.contains(QLatin1Char('\n')) || fromRow >= toRow)
        return;
    // Bytes are compared directly unless the needle needs Unicode case folding.
    const bool bytewise = cs == Qt::CaseSensitive || isAscii(needle);
    const QByteArray pattern = needle.toUtf8();
    const FoldedSearch folded(pattern);
    const auto next = [&](QByteArrayView haystack, qsizetype from) {
        return cs == Qt::CaseSensitive ? haystack.indexOf(pattern, from) : folded.indexIn(haystack, from);
    };

    QByteArray block;
    std::vector<int> rows;
    const auto begin = m_starts.begin();
    int low = fromRow;
    int high = toRow - 1;
    while (low <= high) {
        int first = 0;
        int last = 0;
        if (backwards) {
            last = high;
            first = int(std::lower_bound(begin + low, begin + last + 1, m_starts[size_t(last)] - BlockBytes) -
                        begin);
            high = first - 1;
        } else {
            first = low;
            last =
                int(std::upper_bound(begin + first, begin + high + 1, m_starts[size_t(first)] + BlockBytes) -
                    begin) -
                1;
            low = last + 1;
        }
        if (!readRange(first, last, block))
            return;
        const qint64 blockStart = m_starts[size_t(first)];
        rows.clear();
        if (bytewise) {
            qsizetype at = 0;
            while ((at = next(block, at)) >= 0) {
                const int row =
                    int(std::upper_bound(begin + first, begin + last + 1, blockStart + at) - begin) - 1;
                const qsizetype rowStart = m_starts[size_t(row)] - blockStart;
                const qsizetype rowEnd = endOf(row) - blockStart;
                const qsizetype text =
                    rowStart + textOffset(QByteArrayView(block).sliced(rowStart, rowEnd - rowStart));
                if (at < text) {
                    at = text; // a hit in the time stamp does not count
                    continue;
                }
                rows.push_back(row);
                at = rowEnd + 1;
            }
        } else {
            for (int row = first; row <= last; ++row) {
                const qsizetype rowStart = m_starts[size_t(row)] - blockStart;
                const QByteArrayView record =
                    QByteArrayView(block).sliced(rowStart, endOf(row) - blockStart - rowStart);
                if (QString::fromUtf8(record.sliced(textOffset(record))).contains(needle, cs))
                    rows.push_back(row);
            }
        }
        if (backwards) {
            for (auto row = rows.rbegin(); row != rows.rend(); ++row)
                if (!match(*row))
                    return;
        } else {
            for (int row : rows)
                if (!match(row))
                    return;
        }
    }
}

int LogFileIndex::find(const QString &needle, int fromRow, bool backwards, Qt::CaseSensitivity cs) const
{
    int found = -1;
    const auto stop = [&found](int row) {
        found = row;
        return false;
    };
    if (backwards)
        scan(needle, cs, 0, fromRow + 1, true, stop);
    else
        scan(needle, cs, fromRow, -1, false, stop);
    return found;
}

int LogFileIndex::countMatches(const QString &needle, Qt::CaseSensitivity cs, int fromRow, int toRow) const
{
    int count = 0;
    scan(needle, cs, fromRow, toRow, false, [&count](int) {
        ++count;
        return true;
    });
    return count;
}

} // namespace rd
