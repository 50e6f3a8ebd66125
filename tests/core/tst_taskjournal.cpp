#include "release/taskhistory.h"
#include "release/taskjournal.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

// The task journal and history on real files, with real processes as runners.
class TestTaskJournal : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTripKeepsStatesDurationsAndErrors();
    void idsAreUniqueWithinOneSecond();
    void tornLastLineIsIgnored();
    void damagedLineIsReported();
    void deadRunnerReadsAsInterrupted();
    void passedScheduleReadsAsMissed();
    void controlRequestsAreTakenOnce();
    void historyFiltersNewestFirst();
    void thousandTasksList();
    void missingTaskIsNotFound();
    void editedPlanIsRefused_data();
    void editedPlanIsRefused();

private:
    ReleasePlan plan(const QString &environment = QStringLiteral("prod"), int number = 1) const;
    QString tasks() const { return m_dir->filePath(QStringLiteral("tasks")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestTaskJournal::init() { m_dir = std::make_unique<QTemporaryDir>(); }

ReleasePlan TestTaskJournal::plan(const QString &environment, int number) const
{
    ReleasePlan plan;
    plan.project = QStringLiteral("shop");
    plan.environment = environment;
    plan.version = QStringLiteral("shop-v%1-20261123100000").arg(number);
    plan.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    plan.servers = {QStringLiteral("web-1"), QStringLiteral("web-2")};
    plan.deployRoot = QStringLiteral("/srv/shop");
    plan.packagePath = QStringLiteral("/var/lib/releasedesk/packages/shop/0123456789ab.tar.gz");
    plan.packageSha256 = QString(64, u'a');
    return plan;
}

void TestTaskJournal::roundTripKeepsStatesDurationsAndErrors()
{
    ReleasePlan first = plan();
    auto journal = TaskJournal::create(tasks(), first);
    QVERIFY(journal);
    QVERIFY(first.taskId.endsWith(QStringLiteral("-shop-prod")));
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther |
                                            QFileDevice::WriteOther;
    QCOMPARE(QFile::permissions(journal->directory() + QStringLiteral("/plan.json")) & others, QFileDevice::Permissions());
    QCOMPARE(QFile::permissions(journal->directory()) & others, QFileDevice::Permissions());
    QVERIFY(journal->recordStatus(TaskStatus::Running));
    QVERIFY(journal->recordNode(QStringLiteral("web-1"), NodeStage::Upload, NodeState::Running));
    QTest::qWait(30);
    QVERIFY(journal->recordNode(QStringLiteral("web-1"), NodeStage::Upload, NodeState::Succeeded));
    QVERIFY(journal->recordNode(QStringLiteral("web-2"), NodeStage::Upload, NodeState::Running));
    QVERIFY(journal->recordNode(QStringLiteral("web-2"), NodeStage::Upload, NodeState::Failed, QStringLiteral("disk full")));
    QVERIFY(journal->recordSwitchWindow(120));
    auto running = journal->read();
    QVERIFY(running);
    QCOMPARE(running->status, TaskStatus::Running); // this process runs it
    QCOMPARE(running->pid, QCoreApplication::applicationPid());
    QVERIFY(journal->recordStatus(TaskStatus::Failed, QStringLiteral("1 of 2 failed")));

    auto record = TaskJournal::read(tasks(), first.taskId);
    QVERIFY(record);
    QCOMPARE(record->plan.version, first.version);
    QCOMPARE(record->status, TaskStatus::Failed);
    QCOMPARE(record->summary, QStringLiteral("1 of 2 failed"));
    QCOMPARE(record->nodes.value(QStringLiteral("web-1")).state(NodeStage::Upload), NodeState::Succeeded);
    QVERIFY(record->nodes.value(QStringLiteral("web-1")).durationMs.value(int(NodeStage::Upload)) >= 30);
    QCOMPARE(record->nodes.value(QStringLiteral("web-2")).lastError, QStringLiteral("disk full"));
    QCOMPARE(record->nodes.value(QStringLiteral("web-2")).state(NodeStage::Release), NodeState::Pending);
    QCOMPARE(record->switchWindowMs, 120);
    QVERIFY(record->finished.isValid());
    QCOMPARE(record->attempts, 1);
}

void TestTaskJournal::idsAreUniqueWithinOneSecond()
{
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        ReleasePlan same = plan();
        QVERIFY(TaskJournal::create(tasks(), same));
        ids.append(same.taskId);
    }
    ids.removeDuplicates();
    QCOMPARE(ids.size(), 3);
}

void TestTaskJournal::tornLastLineIsIgnored()
{
    ReleasePlan torn = plan();
    auto journal = TaskJournal::create(tasks(), torn);
    QVERIFY(journal);
    QVERIFY(journal->recordNode(QStringLiteral("web-1"), NodeStage::Upload, NodeState::Succeeded));
    QFile file(journal->directory() + QStringLiteral("/journal.jsonl"));
    QVERIFY(file.open(QIODevice::Append));
    file.write("{\"e\":\"node\",\"s\":\"web-1\",\"g\":7,\"v\":\"runn");
    file.close();
    auto record = journal->read();
    QVERIFY2(record, qPrintable(record ? QString() : record.error().text()));
    QCOMPARE(record->nodes.value(QStringLiteral("web-1")).state(NodeStage::Upload), NodeState::Succeeded);
    QCOMPARE(record->nodes.value(QStringLiteral("web-1")).state(NodeStage::Prepare), NodeState::Pending);
}

void TestTaskJournal::damagedLineIsReported()
{
    ReleasePlan damaged = plan();
    auto journal = TaskJournal::create(tasks(), damaged);
    QVERIFY(journal);
    QFile file(journal->directory() + QStringLiteral("/journal.jsonl"));
    QVERIFY(file.open(QIODevice::Append));
    file.write("not json at all\n");
    file.close();
    QVERIFY(journal->recordNode(QStringLiteral("web-1"), NodeStage::Upload, NodeState::Succeeded));
    auto record = journal->read();
    QVERIFY(!record);
    QVERIFY2(record.error().message.contains(QStringLiteral("line 2")), qPrintable(record.error().message));
}

void TestTaskJournal::deadRunnerReadsAsInterrupted()
{
    ReleasePlan interrupted = plan();
    auto journal = TaskJournal::create(tasks(), interrupted);
    QVERIFY(journal);
    QVERIFY(journal->recordStatus(TaskStatus::Running));
    QVERIFY(journal->recordNode(QStringLiteral("web-1"), NodeStage::Prepare, NodeState::Running));
    // Rewrite the runner as a real process that then dies: what a kill -9 leaves behind.
    QProcess runner;
    runner.start(QStringLiteral("sleep"), {QStringLiteral("30")});
    QVERIFY(runner.waitForStarted());
    const qint64 pid = runner.processId();
    QFile file(journal->directory() + QStringLiteral("/journal.jsonl"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray text = file.readAll();
    file.close();
    text.replace(QByteArray("\"pid\":") + QByteArray::number(QCoreApplication::applicationPid()),
                 QByteArray("\"pid\":") + QByteArray::number(pid));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    QFile summary(journal->directory() + QStringLiteral("/summary.json"));
    QVERIFY(summary.open(QIODevice::ReadOnly));
    QJsonObject fields = QJsonDocument::fromJson(summary.readAll()).object();
    summary.close();
    fields.insert(QStringLiteral("pid"), pid);
    QVERIFY(summary.open(QIODevice::WriteOnly | QIODevice::Truncate));
    summary.write(QJsonDocument(fields).toJson());
    summary.close();
    auto alive = journal->read();
    QVERIFY(alive);
    QCOMPARE(alive->pid, pid);
    QCOMPARE(alive->status, TaskStatus::Interrupted); // same pid, but not the process that started the task
    runner.kill();
    runner.waitForFinished();
    auto dead = journal->read();
    QVERIFY(dead);
    QCOMPARE(dead->status, TaskStatus::Interrupted);
    QCOMPARE(dead->nodes.value(QStringLiteral("web-1")).state(NodeStage::Prepare), NodeState::Running);
    // The list tells the same.
    const QList<TaskRecord> listed = TaskHistory::list(tasks());
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.first().status, TaskStatus::Interrupted);
}

void TestTaskJournal::passedScheduleReadsAsMissed()
{
    ReleasePlan later = plan();
    later.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    QVERIFY(TaskJournal::create(tasks(), later));
    QCOMPARE(TaskJournal::read(tasks(), later.taskId)->status, TaskStatus::Scheduled);
    ReleasePlan passed = plan(QStringLiteral("test"));
    passed.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QVERIFY(TaskJournal::create(tasks(), passed));
    QCOMPARE(TaskJournal::read(tasks(), passed.taskId)->status, TaskStatus::Missed);
}

void TestTaskJournal::controlRequestsAreTakenOnce()
{
    ReleasePlan controlled = plan();
    auto journal = TaskJournal::create(tasks(), controlled);
    QVERIFY(journal);
    auto other = TaskJournal::open(tasks(), controlled.taskId);
    QVERIFY(other);
    const QDateTime runningSince = QDateTime::currentDateTimeUtc();
    QVERIFY(other->requestControl(QStringLiteral("promote")));
    QVERIFY(other->controlRequestPending(QStringLiteral("promote")));
    QCOMPARE(journal->takeControlRequests(runningSince), QStringList{QStringLiteral("promote")});
    QVERIFY(journal->takeControlRequests(runningSince).isEmpty());
    // Taken: the requester cannot withdraw it any more.
    QVERIFY(!other->controlRequestPending(QStringLiteral("promote")));
    QVERIFY(!other->withdrawControlRequest(QStringLiteral("promote")));

    // Withdrawn first: the runner never sees it.
    QVERIFY(other->requestControl(QStringLiteral("abort")));
    QVERIFY(other->withdrawControlRequest(QStringLiteral("abort")));
    QVERIFY(journal->takeControlRequests(runningSince).isEmpty());

    // Left by a requester for an earlier run: a later run drops it and says so in the task log.
    QVERIFY(other->requestControl(QStringLiteral("abort")));
    QVERIFY(journal->takeControlRequests(QDateTime::currentDateTimeUtc().addSecs(1)).isEmpty());
    QVERIFY(!other->controlRequestPending(QStringLiteral("abort")));
    QFile log(journal->taskLogPath());
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(log.readAll().contains("A request to abort from"));
}

void TestTaskJournal::historyFiltersNewestFirst()
{
    QStringList created;
    for (const QString &environment : {QStringLiteral("test"), QStringLiteral("prod"), QStringLiteral("prod")}) {
        ReleasePlan each = plan(environment, int(created.size()) + 1);
        auto journal = TaskJournal::create(tasks(), each);
        QVERIFY(journal);
        QVERIFY(journal->recordStatus(TaskStatus::Running));
        QVERIFY(journal->recordStatus(created.size() == 1 ? TaskStatus::Failed : TaskStatus::Succeeded));
        created.append(each.taskId);
    }
    const QList<TaskRecord> all = TaskHistory::list(tasks());
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.first().plan.taskId, created.last());
    const QList<TaskRecord> prod = TaskHistory::list(tasks(), {QStringLiteral("shop"), QStringLiteral("prod"), {}, 0});
    QCOMPARE(prod.size(), 2);
    const QList<TaskRecord> failed = TaskHistory::list(tasks(), {{}, {}, {TaskStatus::Failed}, 0});
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().plan.taskId, created[1]);
    QCOMPARE(TaskHistory::list(tasks(), {{}, {}, {}, 2}).size(), 2);
    QCOMPARE(TaskHistory::versions(tasks(), QStringLiteral("shop"), QStringLiteral("prod")).size(), 2);
    QCOMPARE(TaskHistory::lastReleasedVersion(tasks(), QStringLiteral("shop"), QStringLiteral("prod")),
             plan(QStringLiteral("prod"), 3).version);
    QVERIFY(TaskHistory::list(tasks(), {QStringLiteral("other"), {}, {}, 0}).isEmpty());
}

void TestTaskJournal::thousandTasksList()
{
    for (int i = 0; i < 1000; ++i) {
        ReleasePlan each = plan(QStringLiteral("prod"), i + 1);
        auto journal = TaskJournal::create(tasks(), each);
        QVERIFY(journal);
        QVERIFY(journal->recordStatus(TaskStatus::Succeeded));
    }
    QElapsedTimer clock;
    clock.start();
    const QList<TaskRecord> all = TaskHistory::list(tasks());
    qInfo("listed %lld tasks in %lld ms", qlonglong(all.size()), clock.elapsed());
    QCOMPARE(all.size(), 1000);
}

void TestTaskJournal::missingTaskIsNotFound()
{
    auto missing = TaskJournal::open(tasks(), QStringLiteral("20990101-000000-nope-prod"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("task"));
    QVERIFY(!TaskJournal::open(tasks(), QStringLiteral("../etc")));
}

void TestTaskJournal::editedPlanIsRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("complaint");
    QTest::newRow("deploy root /") << QStringLiteral("deployRoot") << QJsonValue(QStringLiteral("/")) << QStringLiteral("deploy root");
    QTest::newRow("deploy root with ..") << QStringLiteral("deployRoot") << QJsonValue(QStringLiteral("/srv/../etc"))
                                         << QStringLiteral("'..'");
    QTest::newRow("shared path outside") << QStringLiteral("sharedPaths") << QJsonValue(QJsonArray{QStringLiteral("../../etc")})
                                         << QStringLiteral("shared path");
    QTest::newRow("version of another project") << QStringLiteral("version")
                                                << QJsonValue(QStringLiteral("other-v1-20261123100000"))
                                                << QStringLiteral("release id");
    QTest::newRow("version with a slash") << QStringLiteral("version") << QJsonValue(QStringLiteral("../../x"))
                                          << QStringLiteral("release id");
    QTest::newRow("deletion outside") << QStringLiteral("deletions") << QJsonValue(QJsonArray{QStringLiteral("../shared/db")})
                                      << QStringLiteral("not a path inside the release");
    QTest::newRow("server with shell") << QStringLiteral("servers") << QJsonValue(QJsonArray{QStringLiteral("$(reboot)")})
                                       << QStringLiteral("not allowed");
    QTest::newRow("package elsewhere") << QStringLiteral("packagePath") << QJsonValue(QStringLiteral("/etc/shadow"))
                                       << QStringLiteral("package");
    QTest::newRow("commit") << QStringLiteral("commit") << QJsonValue(QStringLiteral("HEAD; rm -rf /"))
                            << QStringLiteral("commit");
    QTest::newRow("parallelism") << QStringLiteral("parallelism") << QJsonValue(0) << QStringLiteral("out of range");
    QTest::newRow("rollback target") << QStringLiteral("kind") << QJsonValue(QStringLiteral("rollback"))
                                     << QStringLiteral("rollback target");
}

void TestTaskJournal::editedPlanIsRefused()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QFETCH(QString, complaint);
    ReleasePlan edited = plan();
    auto journal = TaskJournal::create(tasks(), edited);
    QVERIFY(journal);
    QVERIFY(journal->read()); // as planned, it reads back
    QFile file(journal->directory() + QStringLiteral("/plan.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    json.insert(field, value);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(json).toJson());
    file.close();
    auto record = TaskJournal::read(tasks(), edited.taskId);
    QVERIFY(!record);
    QVERIFY2(record.error().message.contains(QStringLiteral("rules of a new plan")), qPrintable(record.error().message));
    QVERIFY2(record.error().message.contains(complaint), qPrintable(record.error().message));
    QVERIFY(record.error().hint.contains(QStringLiteral("edited by hand")));
}

QTEST_GUILESS_MAIN(TestTaskJournal)
#include "tst_taskjournal.moc"
