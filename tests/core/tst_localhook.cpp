#include "git/localhook.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace rd;

namespace {

// Whether a process still runs: absent, or a zombie waiting for a parent that never reaps, counts as gone.
bool running(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.size() > close + 2 && line.at(close + 2) != 'Z';
}

} // namespace

class TestLocalHook : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    LocalHookRequest request(const QString &script)
    {
        LocalHookRequest hook;
        hook.title = QStringLiteral("The test hook");
        hook.script = script;
        hook.workDir = m_dir.path();
        hook.context = {QStringLiteral("shop"), QStringLiteral("prod"), QStringLiteral("shop-v3-20240101120000"),
                        QStringLiteral("0123456789abcdef0123456789abcdef01234567"), QStringLiteral("release/1.0"),
                        QStringLiteral("after-download")};
        return hook;
    }

private slots:
    void streamsLinesWithTheirStream();
    void exportsTheDocumentedVariables();
    void failureCarriesExitCodeAndLastLines();
    void timeLimitStopsTheWholeGroup();
    void cancelStopsTheHook();
    void runsOnAWorkerThread();
};

void TestLocalHook::streamsLinesWithTheirStream()
{
    QVERIFY(m_dir.isValid());
    QList<QPair<QString, bool>> lines;
    LocalHookRequest hook = request(QStringLiteral("echo one; echo two >&2; printf 'three\\nno newline'"));
    hook.onLine = [&](const QString &line, bool isError) { lines.append({line, isError}); };
    const auto ran = LocalHook::run(hook);
    QVERIFY2(ran, qPrintable(ran ? QString() : ran.error().text()));
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.contains(qMakePair(QStringLiteral("one"), false)));
    QVERIFY(lines.contains(qMakePair(QStringLiteral("two"), true)));
    QVERIFY(lines.contains(qMakePair(QStringLiteral("three"), false)));
    QVERIFY(lines.contains(qMakePair(QStringLiteral("no newline"), false)));
}

void TestLocalHook::exportsTheDocumentedVariables()
{
    const auto ran = LocalHook::run(request(QStringLiteral(
        "printf '%s\\n' \"$RD_PROJECT\" \"$RD_ENV\" \"$RD_VERSION\" \"$RD_COMMIT\" \"$RD_REF\" \"$RD_WORK_DIR\" "
        "\"$RD_STAGE\" \"$(pwd -P)\" > vars.txt")));
    QVERIFY2(ran, qPrintable(ran ? QString() : ran.error().text()));
    QFile vars(m_dir.filePath(QStringLiteral("vars.txt")));
    QVERIFY(vars.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(vars.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const QString workDir = QDir(m_dir.path()).canonicalPath();
    QCOMPARE(lines, (QStringList{QStringLiteral("shop"), QStringLiteral("prod"), QStringLiteral("shop-v3-20240101120000"),
                                 QStringLiteral("0123456789abcdef0123456789abcdef01234567"),
                                 QStringLiteral("release/1.0"), m_dir.path(), QStringLiteral("after-download"),
                                 workDir}));
}

void TestLocalHook::failureCarriesExitCodeAndLastLines()
{
    LocalHookRequest hook =
        request(QStringLiteral("for i in $(seq 1 50); do echo line$i; done; echo 'npm ERR! missing script' >&2; exit 3"));
    hook.tailLines = 5;
    const auto ran = LocalHook::run(hook);
    QVERIFY(!ran);
    QVERIFY2(ran.error().message.contains(QStringLiteral("exit code 3")), qPrintable(ran.error().message));
    QVERIFY(ran.error().hint.contains(QStringLiteral("npm ERR! missing script")));
    QVERIFY(ran.error().hint.contains(QStringLiteral("line50")));
    QVERIFY(!ran.error().hint.contains(QStringLiteral("line45")));
}

void TestLocalHook::timeLimitStopsTheWholeGroup()
{
    // A child that ignores TERM must still go: the group is killed after the grace time.
    const QString pidFile = m_dir.filePath(QStringLiteral("child.pid"));
    LocalHookRequest hook = request(
        QStringLiteral("(trap '' TERM; sleep 300) & echo $! > child.pid; echo started; sleep 300"));
    hook.timeoutMs = 500;
    const auto ran = LocalHook::run(hook);
    QVERIFY(!ran);
    QVERIFY2(ran.error().message.contains(QStringLiteral("did not finish")), qPrintable(ran.error().message));
    QVERIFY(ran.error().hint.contains(QStringLiteral("started")));
    QFile file(pidFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const qint64 child = file.readAll().trimmed().toLongLong();
    QVERIFY(child > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!running(child), 10000);
}

void TestLocalHook::cancelStopsTheHook()
{
    std::atomic_bool cancel{false};
    LocalHookRequest hook = request(QStringLiteral("echo waiting; sleep 300"));
    hook.cancel = &cancel;
    hook.onLine = [&](const QString &line, bool) {
        if (line == u"waiting")
            cancel = true;
    };
    const auto ran = LocalHook::run(hook);
    QVERIFY(!ran);
    QVERIFY2(ran.error().message.contains(QStringLiteral("cancelled")), qPrintable(ran.error().message));
}

void TestLocalHook::runsOnAWorkerThread()
{
    QStringList lines;
    bool ok = false;
    QThread *thread = QThread::create([&] {
        LocalHookRequest hook = request(QStringLiteral("echo from-worker"));
        hook.onLine = [&](const QString &line, bool) { lines.append(line); };
        ok = LocalHook::run(hook).has_value();
    });
    thread->start();
    QVERIFY(thread->wait(60000));
    delete thread;
    QVERIFY(ok);
    QCOMPARE(lines, QStringList{QStringLiteral("from-worker")});
}

QTEST_GUILESS_MAIN(TestLocalHook)
#include "tst_localhook.moc"
