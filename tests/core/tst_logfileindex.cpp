#include "release/logfileindex.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rd;

// LogFileIndex over real files appended to, cut and replaced between refreshes.
class TestLogFileIndex : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void missingFileThenAppendsInPieces();
    void searchSkipsTimeStampsAndFindsEdges();
    void budgetSpreadsReading();
    void truncatedReplacedOrRewrittenStartsOver();

private:
    void append(const QByteArray &bytes);
    void rewrite(const QByteArray &bytes);

    QTemporaryDir m_dir;
    QString m_path;
};

void TestLogFileIndex::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("%1.log").arg(QRandomGenerator::global()->generate()));
}

void TestLogFileIndex::append(const QByteArray &bytes)
{
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestLogFileIndex::rewrite(const QByteArray &bytes)
{
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestLogFileIndex::missingFileThenAppendsInPieces()
{
    LogFileIndex index(m_path);
    QVERIFY(!index.refresh().reset);
    QVERIFY(!index.exists());
    QCOMPARE(index.lineCount(), 0);

    append("");
    index.refresh();
    QVERIFY(index.exists());
    append("2026-11-23T23:03:03.123Z O one\r\nplain two\n2026-11-23T23:03:03.");
    QVERIFY(!index.refresh().reset);
    QCOMPARE(index.lineCount(), 2);
    QCOMPARE(index.line(0).text, QStringLiteral("one")); // a CR before the LF is not text
    QCOMPARE(index.rawLine(1), QByteArray("plain two"));
    QVERIFY(!index.line(1).time.isValid());
    append("456Z E th");
    index.refresh();
    QCOMPARE(index.lineCount(), 2);
    append("ree\n\n");
    index.refresh();
    QCOMPARE(index.lineCount(), 4);
    const LogLine third = index.line(2);
    QCOMPARE(third.text, QStringLiteral("three"));
    QVERIFY(third.isStderr);
    QCOMPARE(third.time, QDateTime(QDate(2026, 11, 23), QTime(23, 3, 3, 456), Qt::UTC));
    QCOMPARE(index.line(3).text, QString());
    QCOMPARE(index.lineLength(1), 9);
    QCOMPARE(index.longestLineLength(), qint64(strlen("2026-11-23T23:03:03.456Z E three")));
    QCOMPARE(index.line(4).text, QString());
    QCOMPARE(index.line(-1).text, QString());
}

void TestLogFileIndex::searchSkipsTimeStampsAndFindsEdges()
{
    QByteArray bytes;
    for (int i = 0; i < 100; ++i)
        bytes += "2026-11-23T23:03:03.123Z " + QByteArray(i % 2 ? "E" : "O") + " item " +
                 QByteArray::number(i) + (i % 10 == 0 ? " Error" : "") + '\n';
    bytes += "no time Error at the end\n";
    append(bytes);
    LogFileIndex index(m_path);
    index.refresh();
    QCOMPARE(index.lineCount(), 101);

    QCOMPARE(index.find(QStringLiteral("Error"), 0, false, Qt::CaseSensitive), 0);
    QCOMPARE(index.find(QStringLiteral("Error"), 1, false, Qt::CaseSensitive), 10);
    QCOMPARE(index.find(QStringLiteral("Error"), 91, false, Qt::CaseSensitive), 100);
    QCOMPARE(index.find(QStringLiteral("Error"), 99, true, Qt::CaseSensitive), 90);
    QCOMPARE(index.find(QStringLiteral("Error"), 100, true, Qt::CaseSensitive), 100);
    QCOMPARE(index.find(QStringLiteral("error"), 1, false, Qt::CaseSensitive), -1);
    QCOMPARE(index.find(QStringLiteral("eRROR"), 1, false, Qt::CaseInsensitive), 10);
    QCOMPARE(index.countMatches(QStringLiteral("error"), Qt::CaseInsensitive), 11);
    QCOMPARE(index.countMatches(QStringLiteral("error"), Qt::CaseInsensitive, 10, 21), 2);
    // The prefix is not text: neither the time, nor the stream letter.
    QCOMPARE(index.find(QStringLiteral("23:03"), 0, false, Qt::CaseSensitive), -1);
    QCOMPARE(index.countMatches(QStringLiteral("Z E"), Qt::CaseSensitive), 0);
    // ... unless the line is not a record.
    QCOMPARE(index.find(QStringLiteral("no time"), 0, false, Qt::CaseSensitive), 100);
    QCOMPARE(index.find(QStringLiteral("item 7"), 0, false, Qt::CaseSensitive), 7);
    QCOMPARE(index.find(QStringLiteral("item 7"), 8, false, Qt::CaseSensitive), 70);
    QCOMPARE(index.find(QString(), 0, false, Qt::CaseSensitive), -1);
    QCOMPARE(index.find(QStringLiteral("item 1"), 101, false, Qt::CaseSensitive), -1);
    QCOMPARE(index.find(QStringLiteral("item 1"), -1, true, Qt::CaseSensitive), -1);
}

void TestLogFileIndex::budgetSpreadsReading()
{
    QByteArray bytes;
    for (int i = 0; i < 1000; ++i)
        bytes += "2026-11-23T23:03:03.123Z O line " + QByteArray::number(i) + '\n';
    append(bytes);
    LogFileIndex index(m_path);
    int calls = 0;
    for (LogFileIndex::Refresh refresh{false, true}; refresh.more; ++calls)
        refresh = index.refresh(4096);
    QVERIFY(calls >= bytes.size() / 4096);
    QCOMPARE(index.lineCount(), 1000);
    for (int i : {0, 1, 499, 999})
        QCOMPARE(index.line(i).text, QStringLiteral("line %1").arg(i));
}

void TestLogFileIndex::truncatedReplacedOrRewrittenStartsOver()
{
    append("2026-11-23T23:03:03.123Z O first run line one\n2026-11-23T23:03:03.123Z O first run line two\n");
    LogFileIndex index(m_path);
    index.refresh();
    QCOMPARE(index.lineCount(), 2);

    rewrite("short\n");
    QVERIFY(index.refresh().reset);
    QCOMPARE(index.lineCount(), 1);
    QCOMPARE(index.line(0).text, QStringLiteral("short"));

    // Rewritten longer between two looks: the old end is no longer a line end.
    rewrite("a much longer replacement line\nand another\n");
    QVERIFY(index.refresh().reset);
    QCOMPARE(index.lineCount(), 2);
    QCOMPARE(index.line(0).text, QStringLiteral("a much longer replacement line"));

    const QString other = m_dir.filePath(QStringLiteral("other.log"));
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("rotated in\n");
    file.close();
    QVERIFY(QFile::remove(m_path));
    QVERIFY(QFile::rename(other, m_path));
    QVERIFY(index.refresh().reset);
    QCOMPARE(index.lineCount(), 1);
    QCOMPARE(index.line(0).text, QStringLiteral("rotated in"));

    QVERIFY(QFile::remove(m_path));
    QVERIFY(index.refresh().reset);
    QVERIFY(!index.exists());
    QCOMPARE(index.lineCount(), 0);
    QVERIFY(!index.refresh().reset);
}

QTEST_GUILESS_MAIN(TestLogFileIndex)
#include "tst_logfileindex.moc"
