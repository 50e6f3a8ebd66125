#pragma once

#include "common/error.h"
#include "release/releaseplanner.h"
#include "workspace/taskrunner.h"

#include <QHash>
#include <QMainWindow>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;

namespace rd {

class GuiHostKeyPrompt;
class Workspace;
class LogDock;
class PipelineScene;
class PipelineView;

// One release task on screen: the live pipeline graph, the task log and a dock per server opened
// from the graph, the controls (promote, abort, retry failed, resume, roll back) and its progress.
// A task is started here from the form's request, or opened from the history, live or finished.
class TaskWindow : public QMainWindow
{
    Q_OBJECT

public:
    TaskWindow(Workspace &workspace, QWidget *parent = nullptr);
    ~TaskWindow() override;

    Result<> startTask(const ReleaseRequest &request, bool fetchFirst);
    Result<> openTask(const QString &taskId);
    // An opened task whose scheduled time has come.
    void startScheduled() { runMode(ReleaseTask::Mode::Start); }

    QString taskId() const { return m_runner->taskId(); }
    PipelineScene *scene() const { return m_scene; }
    TaskRunner *runner() const { return m_runner.get(); }
    LogDock *openLog(const QString &server);
    QString statusText() const;
    QAction *action(const QString &objectName) const;

signals:
    void rollbackRequested(const QString &project, const QString &environment, const QString &version);
    void taskFinished(const QString &taskId, bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void showPlan(const ReleasePlan &plan);
    void setStatus(const QString &text, const QString &color);
    void nodeChanged(const QString &server, NodeStage stage, NodeState state);
    void taskCreated(const QString &taskId);
    void finished(bool ok, const QString &summary);
    void awaitingPromotion(const QString &summary);
    void updateActions();
    void runMode(ReleaseTask::Mode mode);
    void promote();
    void abort();
    void rollBack();
    void notify(const QString &title, const QString &message);
    void focusSearch();

    std::unique_ptr<GuiHostKeyPrompt> m_hostKeyPrompt;
    std::unique_ptr<TaskRunner> m_runner;
    PipelineScene *m_scene;
    PipelineView *m_view;
    QLabel *m_title;
    QLabel *m_status;
    QLabel *m_summary;
    QProgressBar *m_progress;
    QHash<QString, LogDock *> m_logs; // by server; "" is the task log
    QHash<QString, int> m_doneStages; // by server: stages that reached an outcome
    QAction *m_pause = nullptr;
    QAction *m_promote = nullptr;
    QAction *m_abort = nullptr;
    QAction *m_retry = nullptr;
    QAction *m_resume = nullptr;
    QAction *m_rollback = nullptr;
    QAction *m_find = nullptr;
};

} // namespace rd
