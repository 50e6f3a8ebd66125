#pragma once

#include <QByteArray>
#include <QCache>
#include <QDateTime>
#include <QFile>
#include <QString>

#include <functional>
#include <vector>

namespace rd {

// One record of a NodeLog file (the server logs and the task log share its format).
struct LogLine
{
    QDateTime time; // invalid for a line that is not a record
    bool isStderr = false;
    QString text;
};

// Rows of a growing append-only log file, for views that must stay fast with millions of lines:
// only the offsets of line starts are kept in memory (8 bytes a line), and lines are read back
// from the file when asked for. refresh() reads only what was appended since the last call.
class LogFileIndex
{
public:
    struct Refresh
    {
        bool reset = false; // the file was truncated, replaced or removed: earlier rows are gone
        bool more = false;  // the byte budget ran out before the end of the file
    };

    explicit LogFileIndex(const QString &path = {});

    void setPath(const QString &path);
    QString path() const { return m_path; }
    bool exists() const { return m_file.isOpen(); }

    // Indexes the complete lines appended since the last call (a last line without its '\n' waits
    // for it), reading at most `maxBytes` when positive, so a caller can spread a huge file over
    // several turns of its event loop.
    Refresh refresh(qint64 maxBytes = 0);

    int lineCount() const { return int(m_starts.size()); }
    LogLine line(int row) const;
    // The bytes of the row without its line end.
    QByteArray rawLine(int row) const;
    // The row's length in bytes without its line end, known without reading the file.
    qint64 lineLength(int row) const;
    qint64 longestLineLength() const { return m_longest; }

    // The first row at or after `fromRow` (at or before it when `backwards`) whose text contains
    // `needle`, or -1. The time and stream prefix of a record is not searched. Reads the file in
    // big blocks, so a million lines take a fraction of a second.
    int find(const QString &needle, int fromRow, bool backwards, Qt::CaseSensitivity cs) const;
    // How many rows in [fromRow, toRow) match, as find() would; toRow < 0 means the end.
    int countMatches(const QString &needle, Qt::CaseSensitivity cs, int fromRow = 0, int toRow = -1) const;

    static LogLine parse(QByteArrayView record);
    // Where the text of a record starts ("<ISO time> O|E <text>"), or 0 for a line that is not one.
    static qsizetype textOffset(QByteArrayView record);

private:
    void reset();
    qint64 endOf(int row) const; // the offset of the row's '\n'
    bool readRange(int firstRow, int lastRow, QByteArray &into) const;
    // Calls `match(row)` for each matching row in [fromRow, toRow), in order or backwards, until
    // it returns false.
    void scan(const QString &needle, Qt::CaseSensitivity cs, int fromRow, int toRow, bool backwards,
              const std::function<bool(int)> &match) const;

    QString m_path;
    mutable QFile m_file;
    quint64 m_inode = 0;
    std::vector<qint64> m_starts; // the start of each complete line
    qint64 m_pendingStart = 0;    // the start of the line not yet ended by '\n'
    qint64 m_scanned = 0;         // bytes looked at for '\n' so far
    qint64 m_longest = 0;
    mutable QCache<int, LogLine> m_cache;
    QByteArray m_buffer; // what refresh() reads into
};

} // namespace rd
