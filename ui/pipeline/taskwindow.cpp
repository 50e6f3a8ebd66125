#include "taskwindow.h"

#include "dialogs/guihostkeyprompt.h"
#include "logs/logdock.h"
#include "logs/logview.h"
#include "pipeline/pipelinescene.h"
#include "pipeline/pipelineview.h"
#include "release/nodelog.h"
#include "release/taskhistory.h"
#include "release/taskjournal.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QVBoxLayout>

namespace rd {

namespace {

constexpr int StagesPerServer = 5;

bool isOutcome(NodeState state)
{
    return state != NodeState::Pending && state != NodeState::Running;
}

} // namespace

TaskWindow::TaskWindow(Workspace &workspace, QWidget *parent)
    : QMainWindow(parent),
      m_hostKeyPrompt(std::make_unique<GuiHostKeyPrompt>(this)),
      m_runner(std::make_unique<TaskRunner>(workspace, m_hostKeyPrompt->prompt())), m_scene(new PipelineScene(this)),
      m_view(new PipelineView(m_scene)), m_title(new QLabel), m_status(new QLabel), m_summary(new QLabel),
      m_progress(new QProgressBar)
{
    setObjectName(QStringLiteral("taskWindow"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowIcon(QIcon(QStringLiteral(":/icons/releasedesk.svg")));
    setDockNestingEnabled(true);

    m_title->setObjectName(QStringLiteral("taskTitle"));
    m_title->setStyleSheet(QStringLiteral("font-size: 15px; font-weight: 600;"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("taskStatus"));
    m_summary->setObjectName(QStringLiteral("taskSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("overallProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%p% of the stages"));
    m_progress->setMinimumWidth(200);
    m_progress->setMaximumWidth(260);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_status);
    header->addWidget(m_progress);
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(10, 8, 10, 4);
    layout->addLayout(header);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    setCentralWidget(central);
    createActions();

    connect(m_scene, &PipelineScene::nodeActivated, this, [this](const QString &server) { openLog(server); });
    connect(m_runner.get(), &TaskRunner::localStageChanged, this,
            [this](LocalStage stage, NodeState state, const QString &detail) {
                m_scene->setLocalStageState(int(stage), state, detail);
                if (state == NodeState::Running)
                    setStatus(tr("Preparing: %1").arg(TaskRunner::localStageName(stage)), QStringLiteral("#1565c0"));
            });
    connect(m_runner.get(), &TaskRunner::localLine, this,
            [this](const QString &line) { statusBar()->showMessage(line, 4000); });
    connect(m_runner.get(), &TaskRunner::localFailed, this, [this](const QString &error) {
        setStatus(tr("Failed before any server was touched"), QStringLiteral("#c62828"));
        m_summary->setText(error);
        updateActions();
        emit taskFinished(m_runner->taskId(), false);
    });
    connect(m_runner.get(), &TaskRunner::taskCreated, this, &TaskWindow::taskCreated);
    connect(m_runner.get(), &TaskRunner::scheduled, this, [this](const QString &, const QDateTime &when) {
        setStatus(tr("Scheduled"), QStringLiteral("#616161"));
        m_summary->setText(tr("Starts at %1 while ReleaseDesk (or \"releasedesk-cli release run --wait\") runs.")
                               .arg(QLocale().toString(when.toLocalTime(), QLocale::LongFormat)));
        updateActions();
    });
    connect(m_runner.get(), &TaskRunner::nodeChanged, m_scene, &PipelineScene::setNodeState);
    connect(m_runner.get(), &TaskRunner::nodeChanged, this,
            [this](const QString &server, NodeStage stage, NodeState state) { nodeChanged(server, stage, state); });
    connect(m_runner.get(), &TaskRunner::uploadProgress, m_scene, &PipelineScene::setUploadProgress);
    connect(m_runner.get(), &TaskRunner::awaitingPromotion, this, &TaskWindow::awaitingPromotion);
    connect(m_runner.get(), &TaskRunner::heldAfterBatch, this, [this](const QString &summary) {
        setStatus(tr("Held after a batch"), QStringLiteral("#ef6c00"));
        m_summary->setText(summary);
        notify(tr("Held after a batch"), summary);
    });
    connect(m_runner.get(), &TaskRunner::finished, this, &TaskWindow::finished);
    resize(1280, 800);
}

TaskWindow::~TaskWindow()
{
    // Workers waiting on a host-key question get their answer before the runner waits for them.
    m_hostKeyPrompt->cancel();
    m_runner.reset();
}

void TaskWindow::createActions()
{
    QToolBar *bar = addToolBar(tr("Task"));
    bar->setObjectName(QStringLiteral("taskToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    auto add = [&](const QString &name, const QString &text, QStyle::StandardPixmap icon, const QKeySequence &keys,
                   const QString &tip, auto slot) {
        QAction *action = bar->addAction(style()->standardIcon(icon), text, this, slot);
        action->setObjectName(name);
        action->setShortcut(keys);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, keys.toString(QKeySequence::NativeText)));
        return action;
    };
    m_pause = add(QStringLiteral("pauseAction"), tr("Pause after batch"), QStyle::SP_MediaPause,
                  QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                  tr("Hold before the next batch; untick to go on"), [this](bool on) {
                      m_runner->setPauseAfterBatch(on);
                      if (!on && statusText() == tr("Held after a batch"))
                          setStatus(tr("Running"), QStringLiteral("#1565c0"));
                  });
    m_pause->setCheckable(true);
    m_promote = add(QStringLiteral("promoteAction"), tr("Promote"), QStyle::SP_ArrowUp, QKeySequence(Qt::CTRL | Qt::Key_P),
                    tr("Release the rest: the canaries are fine"), &TaskWindow::promote);
    m_abort = add(QStringLiteral("abortAction"), tr("Abort"), QStyle::SP_BrowserStop,
                  QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X),
                  tr("Stop the task and release its locks; servers keep the release they run"), &TaskWindow::abort);
    m_retry = add(QStringLiteral("retryAction"), tr("Retry failed"), QStyle::SP_BrowserReload,
                  QKeySequence(Qt::CTRL | Qt::Key_R), tr("Run only the failed servers again, from the stage that failed"),
                  [this] { runMode(ReleaseTask::Mode::Resume); });
    m_resume = add(QStringLiteral("resumeAction"), tr("Resume"), QStyle::SP_MediaPlay,
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
                   tr("Continue an interrupted task where each server stopped"),
                   [this] { runMode(ReleaseTask::Mode::Resume); });
    m_rollback = add(QStringLiteral("rollbackAction"), tr("Roll back"), QStyle::SP_ArrowBack,
                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
                     tr("Switch every server back to the release before this one"), &TaskWindow::rollBack);
    bar->addSeparator();
    m_find = add(QStringLiteral("findAction"), tr("Find in log"), QStyle::SP_FileDialogContentsView,
                 QKeySequence(QKeySequence::Find), tr("Search the log that has focus"), &TaskWindow::focusSearch);
    QAction *taskLog = bar->addAction(tr("Task log"), this, [this] { openLog(QString()); });
    taskLog->setObjectName(QStringLiteral("taskLogAction"));
    updateActions();
}

QAction *TaskWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void TaskWindow::showPlan(const ReleasePlan &plan)
{
    const QString ref = plan.kind == ReleaseKind::Rollback ? plan.rollbackTo
                                                           : QStringLiteral("%1 @ %2").arg(plan.ref, plan.commit.left(8));
    m_title->setText(tr("%1/%2 · %3 · %4 release · %5")
                         .arg(plan.project, plan.environment, plan.version, releaseKindLabel(plan.kind), ref));
    setWindowTitle(tr("%1/%2 %3 — ReleaseDesk").arg(plan.project, plan.environment, plan.version));
    m_scene->setServers(plan.servers, plan.canaries);
    m_progress->setRange(0, int(plan.servers.size()) * StagesPerServer);
    m_progress->setValue(0);
    m_doneStages.clear();
}

Result<> TaskWindow::startTask(const ReleaseRequest &request, bool fetchFirst)
{
    auto plan = m_runner->start(request, fetchFirst ? std::optional<MirrorFetch::Options>(std::in_place) : std::nullopt);
    if (!plan)
        return std::unexpected(plan.error());
    showPlan(*plan);
    setStatus(tr("Preparing"), QStringLiteral("#1565c0"));
    updateActions();
    return {};
}

Result<> TaskWindow::openTask(const QString &taskId)
{
    if (auto opened = m_runner->open(taskId); !opened)
        return opened;
    auto record = m_runner->record();
    if (!record)
        return std::unexpected(record.error());
    showPlan(record->plan);
    m_scene->restore(*record);
    for (auto node = record->nodes.cbegin(); node != record->nodes.cend(); ++node)
        for (const NodeState state : node->states)
            if (isOutcome(state))
                m_doneStages[node.key()] += 1;
    int done = 0;
    for (int count : std::as_const(m_doneStages))
        done += count;
    m_progress->setValue(done);
    taskCreated(taskId);
    const QString color = record->status == TaskStatus::Succeeded ? QStringLiteral("#2e7d32")
                          : record->status == TaskStatus::Failed  ? QStringLiteral("#c62828")
                                                                  : QStringLiteral("#ef6c00");
    setStatus(taskStatusText(record->status), color);
    m_summary->setText(record->summary);
    updateActions();
    return {};
}

void TaskWindow::taskCreated(const QString &taskId)
{
    Q_UNUSED(taskId)
    setStatus(tr("Running"), QStringLiteral("#1565c0"));
    openLog(QString());
    updateActions();
}

LogDock *TaskWindow::openLog(const QString &server)
{
    if (LogDock *open = m_logs.value(server)) {
        open->show();
        open->raise();
        return open;
    }
    auto record = m_runner->record();
    if (!record)
        return nullptr;
    auto journal = TaskJournal::open(m_runner->tasksDirectory(), m_runner->taskId());
    if (!journal)
        return nullptr;
    const QString path = server.isEmpty() ? journal->taskLogPath() : NodeLog::pathFor(journal->logDirectory(), server);
    auto *dock = new LogDock(server.isEmpty() ? tr("Task log") : server, path, this);
    if (LogDock *first = m_logs.value(QString()); first && first != dock)
        tabifyDockWidget(first, dock);
    else
        addDockWidget(Qt::BottomDockWidgetArea, dock);
    m_logs.insert(server, dock);
    dock->show();
    dock->raise();
    return dock;
}

void TaskWindow::focusSearch()
{
    // The log that has the focus, else the one on top, else the task log.
    LogDock *target = nullptr;
    for (LogDock *dock : std::as_const(m_logs)) {
        if (dock->isAncestorOf(QApplication::focusWidget())) {
            target = dock;
            break;
        }
        if (!target && dock->isVisible() && !dock->visibleRegion().isEmpty())
            target = dock;
    }
    if (!target)
        target = openLog(QString());
    if (target)
        target->view()->focusSearch();
}

void TaskWindow::setStatus(const QString &text, const QString &color)
{
    m_status->setText(text);
    m_status->setStyleSheet(
        QStringLiteral("QLabel { color: white; background: %1; border-radius: 9px; padding: 2px 10px; font-weight: 600; }")
            .arg(color));
}

QString TaskWindow::statusText() const
{
    return m_status->text();
}

void TaskWindow::nodeChanged(const QString &server, NodeStage stage, NodeState state)
{
    Q_UNUSED(stage)
    if (!isOutcome(state))
        return;
    // A retried stage reaches a second outcome: count each server's stages at most once.
    m_doneStages[server] = qMin(StagesPerServer, m_doneStages.value(server) + 1);
    int done = 0;
    for (int count : std::as_const(m_doneStages))
        done += count;
    m_progress->setValue(qMin(done, m_progress->maximum()));
}

void TaskWindow::awaitingPromotion(const QString &summary)
{
    setStatus(tr("Waiting for promotion"), QStringLiteral("#ef6c00"));
    m_summary->setText(summary);
    updateActions();
    notify(tr("Canaries released"), summary);
}

void TaskWindow::finished(bool ok, const QString &summary)
{
    setStatus(ok ? tr("Succeeded") : tr("Failed"), ok ? QStringLiteral("#2e7d32") : QStringLiteral("#c62828"));
    m_summary->setText(summary);
    if (ok)
        m_progress->setValue(m_progress->maximum());
    updateActions();
    notify(ok ? tr("Release succeeded") : tr("Release failed"), summary);
    emit taskFinished(m_runner->taskId(), ok);
}

void TaskWindow::notify(const QString &title, const QString &message)
{
    const QString text = QStringLiteral("%1 — %2").arg(windowTitle(), message);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        static QSystemTrayIcon *tray = [] {
            auto *icon = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/releasedesk.svg")), qApp);
            icon->show();
            return icon;
        }();
        tray->showMessage(title, text);
    }
    QApplication::alert(this);
    statusBar()->showMessage(title + QStringLiteral(": ") + message, 15000);
}

void TaskWindow::updateActions()
{
    const bool busy = m_runner->isBusy();
    const bool awaiting = m_runner->isAwaitingPromotion();
    auto record = m_runner->taskId().isEmpty() ? Result<TaskRecord>(std::unexpected(Error{})) : m_runner->record();
    const TaskStatus status = record ? record->status : TaskStatus::Scheduled;
    const bool known = bool(record);
    const ReleasePlan plan = m_runner->plan();
    m_pause->setEnabled(plan.kind == ReleaseKind::Rolling || (plan.kind == ReleaseKind::Gray && plan.batchSize > 0));
    m_promote->setEnabled(known && (awaiting || status == TaskStatus::AwaitingPromotion) &&
                          record->plan.kind == ReleaseKind::Gray);
    m_abort->setEnabled(busy || awaiting ||
                        (known && (status == TaskStatus::Running || status == TaskStatus::AwaitingPromotion ||
                                   status == TaskStatus::Interrupted || status == TaskStatus::Scheduled)));
    m_retry->setEnabled(!busy && known && status == TaskStatus::Failed);
    m_resume->setEnabled(!busy && known && status == TaskStatus::Interrupted);
    m_rollback->setEnabled(!busy && !awaiting && known && status != TaskStatus::Running &&
                           status != TaskStatus::Scheduled);
}

void TaskWindow::runMode(ReleaseTask::Mode mode)
{
    auto ran = m_runner->run(mode);
    if (!ran) {
        QMessageBox::warning(this, tr("ReleaseDesk"), ran.error().text());
        return;
    }
    setStatus(tr("Running"), QStringLiteral("#1565c0"));
    updateActions();
}

void TaskWindow::promote()
{
    if (auto promoted = m_runner->promote(); !promoted) {
        QMessageBox::warning(this, tr("ReleaseDesk"), promoted.error().text());
        return;
    }
    setStatus(tr("Running"), QStringLiteral("#1565c0"));
    updateActions();
}

void TaskWindow::abort()
{
    if (auto aborted = m_runner->abort(); !aborted)
        QMessageBox::warning(this, tr("ReleaseDesk"), aborted.error().text());
    else
        setStatus(tr("Aborting"), QStringLiteral("#ef6c00"));
    updateActions();
}

void TaskWindow::rollBack()
{
    auto record = m_runner->record();
    if (!record)
        return;
    const ReleasePlan &plan = record->plan;
    // The release that was live before this task: the newest earlier successful one of the environment.
    QString target;
    for (const TaskRecord &task :
         TaskHistory::list(m_runner->tasksDirectory(), {plan.project, plan.environment, {TaskStatus::Succeeded}, 0})) {
        if (task.created < record->created && task.plan.version != plan.version && task.plan.kind != ReleaseKind::Rollback) {
            target = task.plan.version;
            break;
        }
    }
    if (target.isEmpty()) {
        QMessageBox::information(this, tr("Roll back"),
                                 tr("No earlier successful release of %1/%2 is recorded here. Roll back from the "
                                    "history or with \"releasedesk-cli release rollback\" to a release the servers keep.")
                                     .arg(plan.project, plan.environment));
        return;
    }
    // Asked where every release starts (the main window), by the rule for production-like environments.
    emit rollbackRequested(plan.project, plan.environment, target);
}

void TaskWindow::closeEvent(QCloseEvent *event)
{
    if (m_runner->isBusy()) {
        const auto answer = QMessageBox::question(
            this, tr("The task is running"),
            tr("Abort the task and close? Servers keep the release they run and the locks are released."),
            QMessageBox::Abort | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Abort) {
            event->ignore();
            return;
        }
        abort();
        if (m_runner->isBusy()) {
            // The window closes once the abort has released the locks.
            connect(m_runner.get(), &TaskRunner::finished, this, &QWidget::close, Qt::UniqueConnection);
            event->ignore();
            return;
        }
    }
    QMainWindow::closeEvent(event);
}

} // namespace rd
