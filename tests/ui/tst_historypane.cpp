#include "journalplan.h"
#include "history/historypane.h"
#include "history/historytablemodel.h"
#include "release/taskjournal.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace rd;

namespace {

struct MadeTask
{
    QString id;
    QString project;
    QString environment;
    QString version;
    TaskStatus status;
    ReleaseKind kind;
};

} // namespace

// The history pane over real task directories written by TaskJournal.
class TestHistoryPane : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void listsEveryTaskNewestFirst();
    void statusesAreColoured();
    void filtersNarrowTheRows();
    void actionsFollowTheSelectedTask();
    void rollbackOnlyToKeptReleasesThatAreNotLive();
    void newTasksAndStatusChangesAppear();
    void directoryFilledAfterListingAppears();

private:
    MadeTask addTask(const QString &project, const QString &environment, int number, TaskStatus status,
                     ReleaseKind kind = ReleaseKind::Full, int keep = 5);
    void makeStandardSet();
    QString tasks() const { return TaskJournal::tasksDirectory(m_dir->path()); }
    static QComboBox *combo(HistoryPane &pane, const char *name)
    {
        return pane.findChild<QComboBox *>(QString::fromLatin1(name));
    }
    static QStringList shownIds(HistoryPane &pane);
    static QStringList items(QComboBox *box);
    static void choose(QComboBox *box, const QString &text) { box->setCurrentIndex(box->findText(text)); }
    static QColor statusColorAt(HistoryPane &pane, int row);

    std::unique_ptr<QTemporaryDir> m_dir;
    QList<MadeTask> m_made; // in the order they were made: oldest first
};

void TestHistoryPane::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_made.clear();
}

MadeTask TestHistoryPane::addTask(const QString &project, const QString &environment, int number, TaskStatus status,
                                  ReleaseKind kind, int keep)
{
    ReleasePlan plan;
    plan.project = project;
    plan.environment = environment;
    plan.kind = kind;
    plan.version = QStringLiteral("%1-v%2-20261123100000").arg(project, QString::number(number));
    if (kind == ReleaseKind::Rollback)
        plan.rollbackTo = plan.version;
    plan.commit = QStringLiteral("%1").arg(number, 40, 10, QLatin1Char('a'));
    plan.ref = QStringLiteral("v%1").arg(number);
    plan.operatorName = QStringLiteral("ops%1").arg(number);
    plan.servers = {QStringLiteral("web-1"), QStringLiteral("web-2")};
    plan.keepReleases = keep;
    if (status == TaskStatus::Scheduled)
        plan.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    if (status == TaskStatus::Missed)
        plan.scheduledAt = QDateTime::currentDateTimeUtc().addSecs(-3600);
    // Creation times are kept to the millisecond: a pause keeps the order unambiguous.
    QTest::qWait(3);
    plan = journalPlan(plan);
    auto journal = TaskJournal::create(tasks(), plan);
    if (!journal) {
        qWarning("%s", qPrintable(journal.error().text()));
        return {};
    }
    switch (status) {
    case TaskStatus::Succeeded:
    case TaskStatus::Failed:
    case TaskStatus::Aborted:
        journal->recordStatus(TaskStatus::Running);
        journal->recordStatus(status, QStringLiteral("%1 of 2 servers run it").arg(status == TaskStatus::Succeeded ? 2 : 1));
        break;
    case TaskStatus::Running:
        journal->recordStatus(TaskStatus::Running); // this process runs it, and lives
        break;
    case TaskStatus::Interrupted: {
        journal->recordStatus(TaskStatus::Running);
        // The runner was a real process that is gone: what a kill -9 of the app leaves behind.
        QProcess runner;
        runner.start(QStringLiteral("sleep"), {QStringLiteral("30")});
        runner.waitForStarted();
        const QByteArray dead = QByteArray::number(runner.processId());
        runner.kill();
        runner.waitForFinished();
        const QByteArray own = QByteArray::number(QCoreApplication::applicationPid());
        for (const QString &name : {QStringLiteral("summary.json"), QStringLiteral("journal.jsonl")}) {
            QFile file(journal->directory() + u'/' + name);
            file.open(QIODevice::ReadOnly);
            QByteArray text = file.readAll();
            file.close();
            text.replace("\"pid\":" + own, "\"pid\":" + dead);
            file.open(QIODevice::WriteOnly | QIODevice::Truncate);
            file.write(text);
        }
        break;
    }
    default:
        break;
    }
    const MadeTask made{plan.taskId, project, environment, plan.version, status, kind};
    m_made.append(made);
    return made;
}

// Two projects, two environments each, every status a task can show.
void TestHistoryPane::makeStandardSet()
{
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 1, TaskStatus::Succeeded);
    addTask(QStringLiteral("shop"), QStringLiteral("test"), 1, TaskStatus::Succeeded);
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 2, TaskStatus::Succeeded);
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 3, TaskStatus::Failed);
    addTask(QStringLiteral("blog"), QStringLiteral("prod"), 1, TaskStatus::Succeeded);
    addTask(QStringLiteral("blog"), QStringLiteral("prod"), 2, TaskStatus::Interrupted);
    addTask(QStringLiteral("shop"), QStringLiteral("test"), 2, TaskStatus::Running);
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 4, TaskStatus::Scheduled);
    addTask(QStringLiteral("blog"), QStringLiteral("test"), 1, TaskStatus::Missed);
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 3, TaskStatus::Aborted);
}

QStringList TestHistoryPane::shownIds(HistoryPane &pane)
{
    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    QStringList ids;
    for (int row = 0; row < table->model()->rowCount(); ++row)
        ids.append(table->model()->index(row, HistoryTableModel::Task).data().toString());
    return ids;
}

QStringList TestHistoryPane::items(QComboBox *box)
{
    QStringList texts;
    for (int i = 0; i < box->count(); ++i)
        texts.append(box->itemText(i));
    return texts;
}

QColor TestHistoryPane::statusColorAt(HistoryPane &pane, int row)
{
    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    return table->model()->index(row, HistoryTableModel::Status).data(Qt::ForegroundRole).value<QColor>();
}

void TestHistoryPane::listsEveryTaskNewestFirst()
{
    makeStandardSet();
    HistoryPane pane(m_dir->path());
    QCOMPARE(pane.shownTaskCount(), int(m_made.size()));
    QStringList newestFirst;
    for (const MadeTask &made : std::as_const(m_made))
        newestFirst.prepend(made.id);
    QCOMPARE(shownIds(pane), newestFirst);

    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    QAbstractItemModel *model = table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const MadeTask &made = m_made[m_made.size() - 1 - row];
        auto cell = [&](int column) { return model->index(row, column).data().toString(); };
        QCOMPARE(cell(HistoryTableModel::Target), QStringLiteral("%1 / %2").arg(made.project, made.environment));
        QCOMPARE(cell(HistoryTableModel::Version), made.version);
        QCOMPARE(cell(HistoryTableModel::Status), taskStatusText(made.status));
        QCOMPARE(cell(HistoryTableModel::Servers), QStringLiteral("2"));
        QCOMPARE(cell(HistoryTableModel::Kind), releaseKindLabel(made.kind));
        // The ref with the commit shortened, never the whole id.
        const QString number = made.version.section(u'-', 1, 1).mid(1);
        const QString commit = QStringLiteral("%1").arg(number.toInt(), 40, 10, QLatin1Char('a'));
        QVERIFY(cell(HistoryTableModel::Ref).startsWith(QStringLiteral("v") + number));
        QVERIFY(cell(HistoryTableModel::Ref).contains(commit.left(8)));
        QVERIFY(!cell(HistoryTableModel::Ref).contains(commit));
        QCOMPARE(cell(HistoryTableModel::Operator), QStringLiteral("ops") + number);
        const bool ran = made.status != TaskStatus::Scheduled && made.status != TaskStatus::Missed;
        QCOMPARE(!cell(HistoryTableModel::Duration).isEmpty(), ran);
        QVERIFY(!cell(HistoryTableModel::When).isEmpty());
    }
    // Finished tasks carry their summary.
    QCOMPARE(model->index(m_made.size() - 1, HistoryTableModel::Summary).data().toString(),
             QStringLiteral("2 of 2 servers run it"));
}

void TestHistoryPane::statusesAreColoured()
{
    makeStandardSet();
    HistoryPane pane(m_dir->path());
    QHash<int, int> checked;
    for (int row = 0; row < pane.shownTaskCount(); ++row) {
        const TaskStatus status = m_made[m_made.size() - 1 - row].status;
        const QColor color = statusColorAt(pane, row);
        QVERIFY(color.isValid());
        const int r = color.red(), g = color.green(), b = color.blue();
        switch (status) {
        case TaskStatus::Succeeded:
            QVERIFY2(g > r + 40 && g > b + 40, qPrintable(color.name()));
            break;
        case TaskStatus::Failed:
        case TaskStatus::Aborted:
            QVERIFY2(r > g + 80 && r > b + 80, qPrintable(color.name()));
            break;
        case TaskStatus::Interrupted:
        case TaskStatus::Missed: // amber: red and some green, hardly blue
            QVERIFY2(r > g && g > b + 60, qPrintable(color.name()));
            break;
        case TaskStatus::Running:
            QVERIFY2(b > r + 80 && b > g, qPrintable(color.name()));
            break;
        case TaskStatus::Scheduled:
            QVERIFY2(r == g && g == b, qPrintable(color.name()));
            break;
        default:
            QFAIL("unexpected status");
        }
        ++checked[int(status)];
    }
    QCOMPARE(checked.size(), 7);
    // Other columns keep the palette's text colour.
    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    QVERIFY(!table->model()->index(0, HistoryTableModel::Version).data(Qt::ForegroundRole).isValid());
}

void TestHistoryPane::filtersNarrowTheRows()
{
    makeStandardSet();
    HistoryPane pane(m_dir->path());
    QComboBox *project = combo(pane, "projectComboBox");
    QComboBox *environment = combo(pane, "environmentComboBox");
    QComboBox *status = combo(pane, "statusComboBox");
    auto *text = pane.findChild<QLineEdit *>(QStringLiteral("filterLineEdit"));
    QVERIFY(project && environment && status && text);
    QCOMPARE(items(project).mid(1), (QStringList{QStringLiteral("blog"), QStringLiteral("shop")}));
    QCOMPARE(items(environment).mid(1), (QStringList{QStringLiteral("prod"), QStringLiteral("test")}));

    auto expected = [this](const std::function<bool(const MadeTask &)> &keep) {
        QStringList ids;
        for (const MadeTask &made : std::as_const(m_made))
            if (keep(made))
                ids.prepend(made.id);
        return ids;
    };
    choose(project, QStringLiteral("blog"));
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) { return m.project == u"blog"; }));
    QCOMPARE(shownIds(pane).size(), 3);
    choose(environment, QStringLiteral("prod"));
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) { return m.project == u"blog" && m.environment == u"prod"; }));
    QCOMPARE(shownIds(pane).size(), 2);

    choose(project, QStringLiteral("shop"));
    QCOMPARE(environment->currentText(), QStringLiteral("prod")); // kept: shop has a prod too
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) { return m.project == u"shop" && m.environment == u"prod"; }));
    choose(status, taskStatusText(TaskStatus::Succeeded));
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) {
                 return m.project == u"shop" && m.environment == u"prod" && m.status == TaskStatus::Succeeded;
             }));
    QCOMPARE(shownIds(pane).size(), 2);

    // The text narrows what the combo boxes leave, in any column.
    QTest::keyClicks(text, QStringLiteral("SHOP-V2"));
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) {
                 return m.project == u"shop" && m.environment == u"prod" && m.status == TaskStatus::Succeeded &&
                        m.version.startsWith(u"shop-v2-");
             }));
    QCOMPARE(pane.shownTaskCount(), 1);
    text->clear();

    choose(project, QStringLiteral("All projects"));
    choose(environment, QStringLiteral("All environments"));
    choose(status, taskStatusText(TaskStatus::Missed));
    QCOMPARE(shownIds(pane), expected([](const MadeTask &m) { return m.status == TaskStatus::Missed; }));
    choose(status, QStringLiteral("All statuses"));
    QCOMPARE(pane.shownTaskCount(), int(m_made.size()));

    // A project without the chosen environment falls back to all of its environments.
    addTask(QStringLiteral("wiki"), QStringLiteral("staging"), 1, TaskStatus::Succeeded);
    pane.refresh();
    choose(environment, QStringLiteral("test"));
    choose(project, QStringLiteral("wiki"));
    QCOMPARE(items(environment).mid(1), QStringList{QStringLiteral("staging")});
    QCOMPARE(shownIds(pane), QStringList{m_made.last().id});
}

void TestHistoryPane::actionsFollowTheSelectedTask()
{
    makeStandardSet();
    HistoryPane pane(m_dir->path());
    QSignalSpy open(&pane, &HistoryPane::openTaskRequested);
    QSignalSpy retry(&pane, &HistoryPane::retryRequested);
    QSignalSpy resume(&pane, &HistoryPane::resumeRequested);
    QSignalSpy rollback(&pane, &HistoryPane::rollbackRequested);

    QVERIFY(!pane.openAction()->isEnabled()); // nothing selected yet
    QVERIFY(!pane.rollbackAction()->isEnabled());

    for (const MadeTask &made : std::as_const(m_made)) {
        QVERIFY(pane.selectTask(made.id));
        QCOMPARE(pane.currentTaskId(), made.id);
        QVERIFY(pane.openAction()->isEnabled());
        const bool retryable = made.status == TaskStatus::Failed || made.status == TaskStatus::Aborted;
        QCOMPARE(pane.retryAction()->isEnabled(), retryable);
        QCOMPARE(pane.resumeAction()->isEnabled(), made.status == TaskStatus::Interrupted);
        pane.openAction()->trigger();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.takeFirst().first().toString(), made.id);
        pane.retryAction()->trigger();
        QCOMPARE(retry.size(), retryable ? 1 : 0);
        if (retryable)
            QCOMPARE(retry.takeFirst().first().toString(), made.id);
        pane.resumeAction()->trigger();
        QCOMPARE(resume.size(), made.status == TaskStatus::Interrupted ? 1 : 0);
        if (!resume.isEmpty())
            QCOMPARE(resume.takeFirst().first().toString(), made.id);
    }

    // shop/prod runs v2 (its newest success): v1 can be gone back to, v2 cannot, nor a failed task.
    const MadeTask shopV1 = m_made[0];
    QVERIFY(pane.selectTask(shopV1.id));
    QVERIFY(pane.rollbackAction()->isEnabled());
    pane.rollbackAction()->trigger();
    QCOMPARE(rollback.size(), 1);
    QCOMPARE(rollback.first(), (QVariantList{QStringLiteral("shop"), QStringLiteral("prod"), shopV1.version}));
    for (int i : {2, 3, 1, 4}) { // shop/prod v2 (live), its failed v3, shop/test v1 (live), blog/prod v1 (live)
        QVERIFY(pane.selectTask(m_made[i].id));
        QVERIFY2(!pane.rollbackAction()->isEnabled(), qPrintable(m_made[i].id));
        pane.rollbackAction()->trigger();
    }
    QCOMPARE(rollback.size(), 1);

    // Double-click and Enter on a row open it too.
    pane.show();
    pane.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&pane));
    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    table->setFocus();
    const QRect second = table->visualRect(table->model()->index(1, HistoryTableModel::Version));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, second.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, second.center());
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.takeFirst().first().toString(), m_made[m_made.size() - 2].id);
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(pane.currentTaskId(), m_made[m_made.size() - 3].id);
    QTest::keyClick(table, Qt::Key_Return);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open.takeFirst().first().toString(), m_made[m_made.size() - 3].id);
}

void TestHistoryPane::rollbackOnlyToKeptReleasesThatAreNotLive()
{
    // Keeping two releases: v3 is live, v2 is kept, v1 has been cleaned away.
    const MadeTask v1 = addTask(QStringLiteral("shop"), QStringLiteral("prod"), 1, TaskStatus::Succeeded, ReleaseKind::Full, 2);
    const MadeTask v2 = addTask(QStringLiteral("shop"), QStringLiteral("prod"), 2, TaskStatus::Succeeded, ReleaseKind::Full, 2);
    const MadeTask v3 = addTask(QStringLiteral("shop"), QStringLiteral("prod"), 3, TaskStatus::Succeeded, ReleaseKind::Full, 2);
    HistoryPane pane(m_dir->path());
    auto rollbackEnabled = [&pane](const MadeTask &made) {
        return pane.selectTask(made.id) && pane.rollbackAction()->isEnabled();
    };
    QVERIFY(!rollbackEnabled(v1));
    QVERIFY(rollbackEnabled(v2));
    QVERIFY(!rollbackEnabled(v3));

    // After a rollback to v2, v2 is live and v3 can be gone back to; the rollback task itself never.
    const MadeTask back = addTask(QStringLiteral("shop"), QStringLiteral("prod"), 2, TaskStatus::Succeeded,
                                  ReleaseKind::Rollback, 2);
    pane.refresh();
    QVERIFY(!rollbackEnabled(back));
    QVERIFY(!rollbackEnabled(v2));
    QVERIFY(rollbackEnabled(v3));
    QVERIFY(!rollbackEnabled(v1));
}

void TestHistoryPane::newTasksAndStatusChangesAppear()
{
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 1, TaskStatus::Succeeded);
    HistoryPane pane(m_dir->path());
    QCOMPARE(pane.shownTaskCount(), 1);

    const MadeTask later = addTask(QStringLiteral("shop"), QStringLiteral("prod"), 2, TaskStatus::Failed);
    QCOMPARE(pane.shownTaskCount(), 1); // not shown before a refresh
    pane.refreshAction()->trigger();
    QCOMPARE(pane.shownTaskCount(), 2);
    QCOMPARE(shownIds(pane).first(), later.id);

    // Shown, the pane notices by itself: a new task, and a status written by another process.
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QVERIFY(pane.selectTask(later.id));
    QVERIFY(pane.retryAction()->isEnabled());
    const MadeTask third = addTask(QStringLiteral("blog"), QStringLiteral("prod"), 1, TaskStatus::Scheduled);
    QTRY_COMPARE_WITH_TIMEOUT(pane.shownTaskCount(), 3, 10000);
    QCOMPARE(shownIds(pane).first(), third.id);
    QCOMPARE(pane.currentTaskId(), later.id); // the selection survives the listing
    QVERIFY(combo(pane, "projectComboBox")->findText(QStringLiteral("blog")) > 0);

    auto retried = TaskJournal::open(tasks(), later.id);
    QVERIFY(retried);
    QVERIFY(retried->recordAttempt());
    QVERIFY(retried->recordStatus(TaskStatus::Running));
    QVERIFY(retried->recordStatus(TaskStatus::Succeeded, QStringLiteral("2 of 2 servers run it")));
    auto *table = pane.findChild<QTableView *>(QStringLiteral("historyTableView"));
    const auto statusOf = [&] {
        return table->model()->index(1, HistoryTableModel::Status).data().toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), taskStatusText(TaskStatus::Succeeded), 10000);
    QCOMPARE(pane.currentTaskId(), later.id);
    QVERIFY(!pane.retryAction()->isEnabled());
    // The summary the retry wrote, in full under the table.
    const QString details = pane.findChild<QLabel *>(QStringLiteral("taskDetailsLabel"))->text();
    QVERIFY2(details.contains(later.id) && details.contains(QStringLiteral("2 of 2 servers run it")), qPrintable(details));
}

void TestHistoryPane::directoryFilledAfterListingAppears()
{
    addTask(QStringLiteral("shop"), QStringLiteral("prod"), 1, TaskStatus::Succeeded);
    // A task made elsewhere, to be moved in file by file like a task being created.
    QTemporaryDir elsewhere;
    ReleasePlan plan;
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("test");
    plan.version = QStringLiteral("shop-v9-20261123100000");
    plan.servers = {QStringLiteral("web-1")};
    plan = journalPlan(plan);
    auto made = TaskJournal::create(elsewhere.path(), plan);
    QVERIFY(made);

    HistoryPane pane(m_dir->path());
    const QString target = QDir(tasks()).filePath(plan.taskId);
    QVERIFY(QDir().mkdir(target));
    pane.refreshIfChanged(); // sees a directory that is no task yet
    QCOMPARE(pane.shownTaskCount(), 1);
    // Filling it changes the task directory, not the tasks directory.
    for (const QString &name : QDir(made->directory()).entryList(QDir::Files))
        QVERIFY(QFile::copy(made->directory() + u'/' + name, target + u'/' + name));
    pane.refreshIfChanged();
    QCOMPARE(pane.shownTaskCount(), 2);
    QCOMPARE(shownIds(pane).first(), plan.taskId);
}

QTEST_MAIN(TestHistoryPane)
#include "tst_historypane.moc"
