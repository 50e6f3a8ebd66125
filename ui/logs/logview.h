#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;

namespace rd {

class LogFileModel;
class LogLineDelegate;

// A live view of one log file: follows new lines, searches, copies, wraps, shows or hides time
// stamps. Built for a million lines: rows are read from the file only when painted, and without
// wrapping every row has the same height.
class LogView : public QWidget
{
    Q_OBJECT

public:
    explicit LogView(QWidget *parent = nullptr);

    void setLogFile(const QString &path);
    QString logFile() const;

    bool isFollowing() const;
    void setFollowing(bool follow);
    void setWrapping(bool wrap);
    bool isWrapping() const;
    void setShowTimestamps(bool show);
    bool showTimestamps() const;

    LogFileModel *model() const { return m_model; }
    QListView *listView() const { return m_list; }

public slots:
    // Puts the cursor in the search field with its text selected, ready to type.
    void focusSearch();
    void findNext();
    void findPrevious();
    // The selected lines, in file order, one per line as shown.
    void copySelection();

signals:
    void followingChanged(bool following);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void find(bool backwards);
    void searchTextChanged();
    void scrolled(int value);
    void updateEmptyState();
    void relayout();

    LogFileModel *m_model;
    LogLineDelegate *m_delegate;
    QListView *m_list;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    QLineEdit *m_search;
    QLabel *m_matches;
    QAction *m_follow;
    QAction *m_caseSensitive;
    QAction *m_wrap;
    QAction *m_timestamps;
    QAction *m_copy;
    QAction *m_findNext;
    QAction *m_findPrevious;
    // Matches counted so far for the current search, so another F3 only counts the new lines.
    QString m_countedNeedle;
    Qt::CaseSensitivity m_countedCase = Qt::CaseInsensitive;
    int m_countedRows = 0;
    int m_matchCount = 0;
    int m_matchRow = -1;
    int m_matchOrdinal = 0;
};

} // namespace rd
