#include "logs/logdock.h"
#include "logs/logfilemodel.h"
#include "logs/loglinedelegate.h"
#include "logs/logview.h"
#include "release/logfileindex.h"
#include "release/nodelog.h"

#include <QAction>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace rd;

// Drives a LogView over real log files written by NodeLog (the writer the release engine uses) or
// byte by byte where a test needs a torn line, and checks what the view holds and shows.
class TestLogView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void recordsAndOtherLinesParse();
    void appendedLinesArriveInOrderWithoutReset();
    void partialLineWaitsForItsNewline();
    void searchHighlightsWrapsAndReportsNotFound();
    void searchKeys();
    void copyPutsSelectedLinesOnClipboard();
    void followKeepsLastRowVisibleUntilScrolledUp();
    void replaysFileWrittenBeforeOpening();
    void truncatedOrReplacedFileStartsOver();
    void timestampsAndWrapToggle();
    void dockNamedAfterTitle();
    void millionLines();

private:
    QString logPath(const QString &server) const { return NodeLog::pathFor(m_dir.path(), server); }
    void append(const QString &path, const QByteArray &bytes);
    QString textAt(int row) const;
    // The row lies within the viewport's height (rows may be wider than it).
    bool rowVisible(int row) const;
    void show();

    QTemporaryDir m_dir;
    std::unique_ptr<LogView> m_view;
};

void TestLogView::init()
{
    QVERIFY(m_dir.isValid());
    m_view = std::make_unique<LogView>();
    m_view->resize(600, 300);
}

void TestLogView::cleanup()
{
    m_view.reset();
    QDir(m_dir.path()).removeRecursively();
    QDir().mkpath(m_dir.path());
}

void TestLogView::show()
{
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestLogView::append(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

QString TestLogView::textAt(int row) const
{
    return m_view->model()->index(row).data(LogFileModel::TextRole).toString();
}

bool TestLogView::rowVisible(int row) const
{
    const QRect rect = m_view->listView()->visualRect(m_view->model()->index(row));
    return rect.isValid() && rect.top() >= 0 && rect.bottom() <= m_view->listView()->viewport()->height();
}

void TestLogView::recordsAndOtherLinesParse()
{
    const LogLine record = LogFileIndex::parse("2026-11-23T23:03:03.123Z E disk full: /srv");
    QCOMPARE(record.time, QDateTime(QDate(2026, 11, 23), QTime(23, 3, 3, 123), Qt::UTC));
    QVERIFY(record.isStderr);
    QCOMPARE(record.text, QStringLiteral("disk full: /srv"));
    const LogLine empty = LogFileIndex::parse("2026-11-23T23:03:03.123Z O ");
    QVERIFY(empty.time.isValid());
    QVERIFY(!empty.isStderr);
    QCOMPARE(empty.text, QString());
    for (const char *other :
         {"plain output", "2026-11-23 not a record", "2026-11-23T23:03:03.123Z X text", ""}) {
        const LogLine line = LogFileIndex::parse(other);
        QVERIFY(!line.time.isValid());
        QVERIFY(!line.isStderr);
        QCOMPARE(line.text, QString::fromUtf8(other));
    }
}

void TestLogView::appendedLinesArriveInOrderWithoutReset()
{
    const QString path = logPath(QStringLiteral("web-01"));
    m_view->setLogFile(path);
    QCOMPARE(m_view->logFile(), path);
    show();
    auto *stack = m_view->findChild<QStackedWidget *>();
    auto *empty = m_view->findChild<QLabel *>(QStringLiteral("emptyLabel"));
    QVERIFY(stack && empty);
    QCOMPARE(stack->currentWidget(), empty);
    QVERIFY(empty->text().contains(QStringLiteral("web-01.log")));

    QSignalSpy resets(m_view->model(), &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy inserts(m_view->model(), &QAbstractItemModel::rowsInserted);
    NodeLog log(m_dir.path(), QStringLiteral("web-01"));
    log.line(QStringLiteral("unpacking shop-v42"));
    log.line(QStringLiteral("warning: 3 files skipped"), true);
    log.line(QStringLiteral("switched current"));
    QTRY_COMPARE(m_view->model()->rowCount(), 3);
    QCOMPARE(stack->currentWidget(), m_view->listView());
    QCOMPARE(textAt(0), QStringLiteral("unpacking shop-v42"));
    QCOMPARE(textAt(1), QStringLiteral("warning: 3 files skipped"));
    QCOMPARE(textAt(2), QStringLiteral("switched current"));
    const QModelIndex stderrRow = m_view->model()->index(1);
    QVERIFY(stderrRow.data(LogFileModel::IsStderrRole).toBool());
    QVERIFY(stderrRow.data(Qt::ForegroundRole).value<QBrush>().color().red() > 150);
    QVERIFY(!m_view->model()->index(0).data(LogFileModel::IsStderrRole).toBool());
    QVERIFY(!m_view->model()->index(0).data(Qt::ForegroundRole).isValid());
    QVERIFY(m_view->model()->index(0).data(LogFileModel::TimeRole).toDateTime().isValid());

    log.line(QStringLiteral("health check passed"));
    QTRY_COMPARE(m_view->model()->rowCount(), 4);
    QCOMPARE(textAt(3), QStringLiteral("health check passed"));
    QVERIFY(inserts.count() >= 2);
    QCOMPARE(inserts.last().at(1).toInt(), 3);
    QCOMPARE(inserts.last().at(2).toInt(), 3);
    QCOMPARE(resets.count(), 0);
}

void TestLogView::partialLineWaitsForItsNewline()
{
    const QString path = logPath(QStringLiteral("web-02"));
    append(path, "2026-11-23T23:03:03.123Z O first\n2026-11-23T23:03:04.000Z E half of a li");
    m_view->setLogFile(path);
    QCOMPARE(m_view->model()->rowCount(), 1);
    m_view->model()->refresh();
    QCOMPARE(m_view->model()->rowCount(), 1);
    append(path, "ne\n2026-11-23T23:03:05.000Z O next");
    m_view->model()->refresh();
    QCOMPARE(m_view->model()->rowCount(), 2);
    QCOMPARE(textAt(1), QStringLiteral("half of a line"));
    QVERIFY(m_view->model()->index(1).data(LogFileModel::IsStderrRole).toBool());
    append(path, "\n");
    QTRY_COMPARE(m_view->model()->rowCount(), 3);
    QCOMPARE(textAt(2), QStringLiteral("next"));
}

void TestLogView::searchHighlightsWrapsAndReportsNotFound()
{
    const QString path = logPath(QStringLiteral("web-03"));
    NodeLog log(m_dir.path(), QStringLiteral("web-03"));
    const QStringList lines = {QStringLiteral("alpha"), QStringLiteral("beta failed, beta again"),
                               QStringLiteral("gamma"), QStringLiteral("BETA upper"),
                               QStringLiteral("delta")};
    for (const QString &line : lines)
        log.line(line);
    m_view->setLogFile(path);
    show();
    QCOMPARE(m_view->model()->rowCount(), 5);
    auto *search = m_view->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    auto *label = m_view->findChild<QLabel *>(QStringLiteral("matchLabel"));
    auto *delegate = qobject_cast<LogLineDelegate *>(m_view->listView()->itemDelegate());
    QVERIFY(search && label && delegate);
    QListView *list = m_view->listView();

    search->setText(QStringLiteral("beta"));
    using Match = LogLineDelegate::Match;
    QCOMPARE(delegate->matches(m_view->model()->index(1)), (QList<Match>{{0, 4}, {13, 4}}));
    QCOMPARE(delegate->matches(m_view->model()->index(3)), (QList<Match>{{0, 4}}));
    QVERIFY(delegate->matches(m_view->model()->index(0)).isEmpty());

    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 1);
    QVERIFY(list->selectionModel()->isRowSelected(1));
    QCOMPARE(label->text(), QStringLiteral("1 of 2"));
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 3);
    QCOMPARE(label->text(), QStringLiteral("2 of 2"));
    QCOMPARE(list->selectionModel()->selectedRows().size(), 1);
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 1);
    QCOMPARE(label->text(), QStringLiteral("1 of 2, wrapped"));
    m_view->findPrevious();
    QCOMPARE(list->currentIndex().row(), 3);
    QCOMPARE(label->text(), QStringLiteral("2 of 2, wrapped"));

    // Match case: only the upper-case line; the time stamps never match.
    m_view->findChild<QAction *>(QStringLiteral("caseSensitiveAction"))->setChecked(true);
    search->setText(QStringLiteral("BETA"));
    QVERIFY(delegate->matches(m_view->model()->index(1)).isEmpty());
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 3);
    QCOMPARE(label->text(), QStringLiteral("1 of 1"));
    search->setText(QStringLiteral("2026"));
    m_view->findNext();
    QCOMPARE(label->text(), QStringLiteral("Not found"));
    QCOMPARE(list->currentIndex().row(), 3);

    // The count follows the file as it grows.
    search->setText(QStringLiteral("gamma"));
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 2);
    QCOMPARE(label->text(), QStringLiteral("1 of 1"));
    log.line(QStringLiteral("gamma again"));
    QTRY_COMPARE(m_view->model()->rowCount(), 6);
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 5);
    QCOMPARE(label->text(), QStringLiteral("2 of 2"));

    // Non-ASCII text, case folded.
    log.line(QStringLiteral("Überprüfung fehlgeschlagen"));
    QTRY_COMPARE(m_view->model()->rowCount(), 7);
    m_view->findChild<QAction *>(QStringLiteral("caseSensitiveAction"))->setChecked(false);
    search->setText(QStringLiteral("überprüfung"));
    m_view->findNext();
    QCOMPARE(list->currentIndex().row(), 6);
    QCOMPARE(delegate->matches(m_view->model()->index(6)), (QList<Match>{{0, 11}}));
}

void TestLogView::searchKeys()
{
    NodeLog log(m_dir.path(), QStringLiteral("web-04"));
    for (int i = 0; i < 10; ++i)
        log.line(i % 3 == 0 ? QStringLiteral("restart %1").arg(i) : QStringLiteral("ok %1").arg(i));
    m_view->setLogFile(logPath(QStringLiteral("web-04")));
    show();
    m_view->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_view.get()));
    auto *search = m_view->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    QListView *list = m_view->listView();
    search->setFocus();
    QTest::keyClicks(search, QStringLiteral("restart"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(list->currentIndex().row(), 0);
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(list->currentIndex().row(), 3);
    QTest::keyClick(search, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(list->currentIndex().row(), 0);
    QTest::keyClick(search, Qt::Key_F3);
    QCOMPARE(list->currentIndex().row(), 3);
    list->setFocus();
    QTest::keyClick(list, Qt::Key_F3);
    QCOMPARE(list->currentIndex().row(), 6);
    QTest::keyClick(list, Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(list->currentIndex().row(), 3);
}

void TestLogView::copyPutsSelectedLinesOnClipboard()
{
    NodeLog log(m_dir.path(), QStringLiteral("web-05"));
    for (int i = 0; i < 6; ++i)
        log.line(QStringLiteral("line %1").arg(i), i == 4);
    m_view->setLogFile(logPath(QStringLiteral("web-05")));
    m_view->setShowTimestamps(false);
    show();
    QListView *list = m_view->listView();
    QItemSelectionModel *selection = list->selectionModel();
    // Selected out of order; copied in file order.
    selection->select(m_view->model()->index(4), QItemSelectionModel::Select);
    selection->select(m_view->model()->index(1), QItemSelectionModel::Select);
    selection->select(m_view->model()->index(2), QItemSelectionModel::Select);
    QGuiApplication::clipboard()->clear();
    list->setFocus();
    QTest::keyClick(list, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("line 1\nline 2\nline 4\n"));

    selection->clearSelection();
    selection->select(m_view->model()->index(5), QItemSelectionModel::Select);
    m_view->setShowTimestamps(true);
    m_view->findChild<QAction *>(QStringLiteral("copyAction"))->trigger();
    const QString copied = QGuiApplication::clipboard()->text();
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d line 5\n$"))
                 .match(copied)
                 .hasMatch(),
             qPrintable(copied));
}

void TestLogView::followKeepsLastRowVisibleUntilScrolledUp()
{
    const QString path = logPath(QStringLiteral("web-06"));
    NodeLog log(m_dir.path(), QStringLiteral("web-06"));
    m_view->setLogFile(path);
    show();
    QVERIFY(m_view->isFollowing());
    QListView *list = m_view->listView();
    const auto lastVisible = [&] { return rowVisible(m_view->model()->rowCount() - 1); };
    for (int i = 0; i < 500; ++i)
        log.line(QStringLiteral("step %1").arg(i));
    QTRY_COMPARE(m_view->model()->rowCount(), 500);
    QTRY_VERIFY(lastVisible());
    QVERIFY(list->verticalScrollBar()->maximum() > 0);

    QSignalSpy following(m_view.get(), &LogView::followingChanged);
    list->verticalScrollBar()->triggerAction(QAbstractSlider::SliderPageStepSub);
    QVERIFY(!m_view->isFollowing());
    QCOMPARE(following.count(), 1);
    const int position = list->verticalScrollBar()->value();
    for (int i = 500; i < 600; ++i)
        log.line(QStringLiteral("step %1").arg(i));
    QTRY_COMPARE(m_view->model()->rowCount(), 600);
    QTest::qWait(50);
    QVERIFY(!lastVisible());
    QCOMPARE(list->verticalScrollBar()->value(), position);
    QVERIFY(!m_view->isFollowing());

    // Back at the bottom, following starts again.
    list->verticalScrollBar()->triggerAction(QAbstractSlider::SliderToMaximum);
    QVERIFY(m_view->isFollowing());
    for (int i = 600; i < 700; ++i)
        log.line(QStringLiteral("step %1").arg(i));
    QTRY_COMPARE(m_view->model()->rowCount(), 700);
    QTRY_VERIFY(lastVisible());

    // The toggle itself jumps to the end.
    list->scrollToTop();
    QVERIFY(!m_view->isFollowing());
    m_view->findChild<QAction *>(QStringLiteral("followAction"))->trigger();
    QVERIFY(m_view->isFollowing());
    QVERIFY(lastVisible());
}

void TestLogView::replaysFileWrittenBeforeOpening()
{
    // A reopened task: every line of its task log is on disk before the view opens.
    {
        NodeLog log(m_dir.path(), QStringLiteral("task"));
        for (int i = 0; i < 2000; ++i)
            log.line(QStringLiteral("task line %1 ✓").arg(i), i % 10 == 9);
    }
    m_view->setLogFile(logPath(QStringLiteral("task")));
    show();
    QCOMPARE(m_view->model()->rowCount(), 2000);
    for (int i = 0; i < 2000; ++i) {
        QCOMPARE(textAt(i), QStringLiteral("task line %1 ✓").arg(i));
        QCOMPARE(m_view->model()->index(i).data(LogFileModel::IsStderrRole).toBool(), i % 10 == 9);
    }
    QTRY_VERIFY(rowVisible(1999));
}

void TestLogView::truncatedOrReplacedFileStartsOver()
{
    const QString path = logPath(QStringLiteral("web-07"));
    {
        NodeLog log(m_dir.path(), QStringLiteral("web-07"));
        for (int i = 0; i < 10; ++i)
            log.line(QStringLiteral("old %1").arg(i));
    }
    m_view->setLogFile(path);
    show();
    QCOMPARE(m_view->model()->rowCount(), 10);
    QSignalSpy resets(m_view->model(), &QAbstractItemModel::modelReset);

    QFile file(path);
    QVERIFY(file.resize(0));
    NodeLog(m_dir.path(), QStringLiteral("web-07")).line(QStringLiteral("new 0"));
    QTRY_COMPARE(resets.count(), 1);
    QTRY_COMPARE(m_view->model()->rowCount(), 1);
    QCOMPARE(textAt(0), QStringLiteral("new 0"));

    // Replaced by another file (a rename over it), longer than the old one.
    const QString other = m_dir.filePath(QStringLiteral("other.log"));
    QByteArray lines;
    for (int i = 0; i < 20; ++i)
        lines += "2026-11-23T23:03:03.123Z O replaced " + QByteArray::number(i) + '\n';
    append(other, lines);
    QVERIFY(QFile::remove(path));
    QVERIFY(QFile::rename(other, path));
    QTRY_COMPARE(m_view->model()->rowCount(), 20);
    QVERIFY(resets.count() >= 2);
    QCOMPARE(textAt(0), QStringLiteral("replaced 0"));
    QCOMPARE(textAt(19), QStringLiteral("replaced 19"));

    // Removed: back to the empty state.
    QVERIFY(QFile::remove(path));
    QTRY_COMPARE(m_view->model()->rowCount(), 0);
    QCOMPARE(m_view->findChild<QStackedWidget *>()->currentWidget(),
             m_view->findChild<QLabel *>(QStringLiteral("emptyLabel")));
}

void TestLogView::timestampsAndWrapToggle()
{
    NodeLog log(m_dir.path(), QStringLiteral("web-08"));
    log.line(QStringLiteral("short"));
    log.line(QStringLiteral("long ").repeated(200));
    m_view->setLogFile(logPath(QStringLiteral("web-08")));
    show();
    const QModelIndex first = m_view->model()->index(0);
    const QDateTime time = first.data(LogFileModel::TimeRole).toDateTime();
    QVERIFY(m_view->showTimestamps());
    QCOMPARE(first.data().toString(),
             time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz ")) + QStringLiteral("short"));
    m_view->findChild<QAction *>(QStringLiteral("timestampsAction"))->trigger();
    QVERIFY(!m_view->showTimestamps());
    QCOMPARE(first.data().toString(), QStringLiteral("short"));

    QListView *list = m_view->listView();
    QVERIFY(list->uniformItemSizes());
    const QModelIndex longLine = m_view->model()->index(1);
    const int oneLine = list->visualRect(first).height();
    QCOMPARE(list->visualRect(longLine).height(), oneLine);
    // Without wrapping the row is as wide as the longest line, so it scrolls sideways.
    QVERIFY(list->visualRect(longLine).width() > list->viewport()->width());
    m_view->findChild<QAction *>(QStringLiteral("wrapAction"))->trigger();
    QVERIFY(m_view->isWrapping());
    QVERIFY(!list->uniformItemSizes());
    QTRY_VERIFY(list->visualRect(longLine).height() > 3 * oneLine);
    QCOMPARE(list->visualRect(first).height(), oneLine);
    QVERIFY(list->visualRect(longLine).width() <= list->viewport()->width());
    m_view->setWrapping(false);
    QTRY_COMPARE(list->visualRect(longLine).height(), oneLine);
}

void TestLogView::dockNamedAfterTitle()
{
    const QString path = logPath(QStringLiteral("web-09"));
    NodeLog(m_dir.path(), QStringLiteral("web-09")).line(QStringLiteral("hello"));
    LogDock server(QStringLiteral("web-09"), path);
    QCOMPARE(server.windowTitle(), QStringLiteral("web-09"));
    QCOMPARE(server.objectName(), QStringLiteral("logDock_web-09"));
    QCOMPARE(server.view()->logFile(), path);
    QCOMPARE(server.view()->model()->rowCount(), 1);
    QCOMPARE(server.widget(), server.view());
    LogDock task(QStringLiteral("Task log"), logPath(QStringLiteral("task")));
    QCOMPARE(task.objectName(), QStringLiteral("logDock_Task_log"));
    QVERIFY(server.objectName() != task.objectName());
}

void TestLogView::millionLines()
{
    const QString path = logPath(QStringLiteral("big"));
    constexpr int Lines = 1'000'000;
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray batch;
        for (int i = 0; i < Lines; ++i) {
            batch += "2026-11-23T23:03:03.123Z ";
            batch += i % 7 == 0 ? "E " : "O ";
            batch += "request " + QByteArray::number(i) + " served in 3 ms\n";
            if (batch.size() > (1 << 20)) {
                QCOMPARE(file.write(batch), batch.size());
                batch.clear();
            }
        }
        QCOMPARE(file.write(batch), batch.size());
    }
    m_view->setLogFile(path);
    show();
    QTRY_COMPARE_WITH_TIMEOUT(m_view->model()->rowCount(), Lines, 120000);
    QCOMPARE(textAt(Lines - 1), QStringLiteral("request 999999 served in 3 ms"));
    QCOMPARE(textAt(500'000), QStringLiteral("request 500000 served in 3 ms"));
    QCOMPARE(textAt(0), QStringLiteral("request 0 served in 3 ms"));
    QVERIFY(m_view->model()->index(700'000).data(LogFileModel::IsStderrRole).toBool());
    QVERIFY(!m_view->model()->index(700'001).data(LogFileModel::IsStderrRole).toBool());
    QTRY_VERIFY(rowVisible(Lines - 1));

    const LogFileIndex &index = m_view->model()->logIndex();
    QCOMPARE(index.find(QStringLiteral("request 777777 "), 0, false, Qt::CaseSensitive), 777777);
    QCOMPARE(index.find(QStringLiteral("REQUEST 777777 "), 999'999, true, Qt::CaseInsensitive), 777777);
    QCOMPARE(index.find(QStringLiteral("request 777777 "), 777778, false, Qt::CaseSensitive), -1);
    QCOMPARE(index.countMatches(QStringLiteral("request 12345"), Qt::CaseSensitive),
             11); // 12345 and 123450..123459

    auto *search = m_view->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    search->setText(QStringLiteral("request 999998 "));
    m_view->findNext();
    QCOMPARE(m_view->listView()->currentIndex().row(), 999'998);
    QCOMPARE(m_view->findChild<QLabel *>(QStringLiteral("matchLabel"))->text(), QStringLiteral("1 of 1"));
}

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
