#pragma once

#include <QDateTime>
#include <QHash>
#include <QStringList>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTimer;

namespace rd {

class RecordTableView;

class HistoryTableModel;
struct TaskRecord;

// The release tasks of a data directory, newest first, filtered by project, environment, status
// and text. It only reads the task directories and asks for work through its signals: opening,
// retrying, resuming and rolling back belong to whoever listens.
class HistoryPane : public QWidget
{
    Q_OBJECT

public:
    explicit HistoryPane(const QString &dataDir, QWidget *parent = nullptr);

    QString tasksDirectory() const { return m_tasksDir; }
    // Lists every task again.
    void refresh();
    // What the timer does every 2 s while the pane is shown: a new task directory lists them all
    // again; otherwise only tasks that can still change (not succeeded, not missed) are looked at,
    // and read again when their directory changed or their status may change by itself (running,
    // scheduled).
    void refreshIfChanged();

    QString currentTaskId() const;
    bool selectTask(const QString &taskId);
    // Rows shown after every filter.
    int shownTaskCount() const;
    HistoryTableModel *model() const { return m_model; }

    QAction *openAction() const { return m_openAction; }
    QAction *rollbackAction() const { return m_rollbackAction; }
    QAction *retryAction() const { return m_retryAction; }
    QAction *resumeAction() const { return m_resumeAction; }
    QAction *refreshAction() const { return m_refreshAction; }

signals:
    void openTaskRequested(const QString &taskId);
    void rollbackRequested(const QString &project, const QString &environment, const QString &version);
    void retryRequested(const QString &taskId);
    void resumeRequested(const QString &taskId);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *createFilterRow();
    QWidget *createActionRow();
    void fillFilterChoices();
    void fillEnvironments();
    void applyFilter();
    void updateActions();
    void updateCount();
    void remember();
    const TaskRecord *currentTask() const;
    void emitForCurrent(QAction *action);

    QString m_tasksDir;
    HistoryTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    RecordTableView *m_table;
    QComboBox *m_project;
    QComboBox *m_environment;
    QComboBox *m_status;
    QLineEdit *m_text;
    QLabel *m_count;
    QLabel *m_details;
    QTimer *m_timer;
    QAction *m_openAction;
    QAction *m_rollbackAction;
    QAction *m_retryAction;
    QAction *m_resumeAction;
    QAction *m_refreshAction;

    // What the disk looked like at the last read, to notice changes cheaply.
    QDateTime m_dirTime;
    QHash<QString, QDateTime> m_taskTimes; // task id → its directory's mtime, for tasks that can change
    QStringList m_unreadable;              // directories that were not tasks (yet): being created
};

} // namespace rd
