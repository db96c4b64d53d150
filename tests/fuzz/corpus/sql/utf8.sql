SELECT 'héllo', "naïve;" FROM café;
  SELECT '日本語';
